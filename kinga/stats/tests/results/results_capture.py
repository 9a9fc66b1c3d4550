"""Expected values from R's ``FSA`` package, ``mrClosed`` (its tests validate them
against Krebs 1989 Box 2.1, Ricker 1975 and Pine et al. 2013). FSA rounds to whole
animals, so tests compare after rounding to integers."""

# mrClosed(M=948, n=421, m=167)                       summary() N
# confint(mrClosed(M=948, n=421, m=167), type="normal")   95% LCI
PETERSEN_KREBS = {"M": 948, "n": 421, "m": 167, "N": 2390, "lci": 2153}
# Krebs (1989) Box 2.1 prints the upper bound 2685 for the same interval; FSA's
# upper bound differs (its tests leave it commented out) - see kinga.stats.capture.
PETERSEN_KREBS_UCI = 2685

# mrClosed(M=948, n=421, m=167, method="Chapman")     summary() N
CHAPMAN_KREBS = {"M": 948, "n": 421, "m": 167, "N": 2383}

# summary(mrClosed(M=500, n=149, m=7, method="Chapman"), incl.SE=TRUE)
CHAPMAN_SE = {"M": 500, "n": 149, "m": 7, "N": 9393, "SE": 3022}

# mrClosed(M=421, n=332, m=88, method="Chapman"); confint(type="normal")
CHAPMAN_PINE = {"M": 421, "n": 332, "m": 88, "N": 1578, "lci": 1330, "uci": 1826}

# mrClosed(M=109, n=177, m=57, method="Chapman")      (Ricker 1975)
CHAPMAN_RICKER = {"M": 109, "n": 177, "m": 57, "N": 337}
