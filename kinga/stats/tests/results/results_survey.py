"""Reference values for the survey estimators, each next to the R call that produced it.

R package ``survey`` 4.x on its own example data (``data(api)``, ``data(fpc)``), as
listed in ``../shared/reference/EXPECTED.md``. The CSVs are read from the shared
reference folder, never copied here.

``apiclus2`` (two-stage, fpc at both stages) is not in EXPECTED.md. Its values were
computed by hand from the multistage formula of Lumley (2010, sec. 3.2; R's
``multistage()``), V = V_1 + Σ_i f_1 · V_2i with f_1 = 40/757, and agree with the
rounded output R prints for the same calls in the package's own examples
(``svymean``: 670.81, SE 30.099; ``svytotal``: 2639273, SE 799638). The test suite
also recomputes them with a deliberately slow loop-per-PSU implementation of the
formula (``test_survey_reference.py::multistage_by_hand``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    estimate: float
    se: float
    deff: float | None = None
    ci: tuple[float, float] | None = None


# dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)
STRAT_DESIGN = {"weights": "pw", "strata": "stype", "fpc": "fpc"}

# svymean(~api00, dstrat)
strat_mean_api00 = Expected(662.287363159, 9.40894080278)

# svytotal(~enroll, dstrat, na.rm=TRUE)
strat_total_enroll = Expected(3687177.53244, 114641.716101)

# svymean(~sch.wide, dstrat)
strat_mean_schwide = {
    "No": Expected(0.172051988584, 0.0243447801131),
    "Yes": Expected(0.827948011416, 0.0243447801131),
}

# svyciprop(~I(sch.wide=="Yes"), dstrat, method="logit")
strat_ciprop_schwide_yes = Expected(
    0.82794801, 0.0243447801131, ci=(0.774539654352, 0.870814854545)
)

# svymean(~api00, subset(dstrat, stype=="E"))
strat_domain_E_api00 = Expected(674.43, 12.3824797939)

# svyby(~api00, ~stype, dstrat, svymean)
strat_by_stype_api00 = {
    "E": Expected(674.43, 12.3824797939),
    "H": Expected(625.82, 14.9371291854),
    "M": Expected(636.60, 16.2147073082),
}

# dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
CLUS1_DESIGN = {"weights": "pw", "psu": "dnum", "fpc": "fpc"}

# svymean(~api00, dclus1, deff=TRUE)
clus1_mean_api00 = Expected(644.169398907, 23.5422406938, deff=9.34586945059)

# svytotal(~enroll, dclus1)
clus1_total_enroll = Expected(3404940.13453, 932235.027041)

# svydesign(id=~psuid, strata=~stratid, weights=~weight, data=fpc, nest=TRUE)
FPC_DESIGN = {"weights": "weight", "strata": "stratid", "psu": "psuid", "nest": True}
# svymean(~x, <that design>)
fpc_mean_x = Expected(5.44814811813, 0.741268326769)

# svydesign(id=~psuid, strata=~stratid, weights=~weight, data=fpc, nest=TRUE, fpc=~Nh)
FPC_DESIGN_NH = {**FPC_DESIGN, "fpc": "Nh"}
# svymean(~x, <that design>)
fpc_mean_x_nh = Expected(5.44814811813, 0.61604071981)

# dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)   # weights from fpc
CLUS2_DESIGN = {"psu": "dnum", "psu2": "snum", "fpc": "fpc1", "fpc2": "fpc2"}
# svymean(~api00, dclus2)              R prints 670.81, SE 30.099
clus2_mean_api00 = Expected(670.811808118081, 30.0990273768366)
clus2_mean_api00_printed = Expected(670.81, 30.099)
# svytotal(~enroll, dclus2, na.rm=TRUE) R prints 2639273, SE 799638
clus2_total_enroll = Expected(2639272.93, 799637.773648358)
clus2_total_enroll_printed = Expected(2639273, 799638)

# rclus1 <- as.svrepdesign(dclus1)          # JK1, fpc folded into the scale
# svymean(~api00, rclus1)                   R prints 644.17, SE 26.329
clus1_jk1_mean_api00_printed = Expected(644.17, 26.329)
