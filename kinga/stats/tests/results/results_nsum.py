"""Expected values from R's ``networkreporting`` (``tests/testthat/test_kp.R``)."""

# df <- data.frame(nurses=c(2, 0), teachers=c(3, 5))
# kp.individual.estimator_(df, known.populations=c("nurses", "teachers"),
#                          total.kp.size=100, alter.popn.size=1000)$dbar.Fcell.F
TOY_KNOWN = [[2.0, 3.0], [0.0, 5.0]]
TOY_SIZES = [50.0, 50.0]  # nurses total 50, teachers total 50 -> total.kp.size 100
TOY_DEGREE_N1000 = [50.0, 50.0]
# ... alter.popn.size=2000
TOY_DEGREE_N2000 = [100.0, 100.0]

# total.degree.estimator(data.frame(d=c(10, 20, 30), w=c(1, 2, 1)), d.hat.vals="d",
#                        weights="w")
TOTAL_DEGREE_D = [10.0, 20.0, 30.0]
TOTAL_DEGREE_W = [1.0, 2.0, 1.0]
TOTAL_DEGREE_WEIGHTED = 80.0
