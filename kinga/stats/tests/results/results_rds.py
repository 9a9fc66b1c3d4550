"""Expected values from R's ``RDS`` package (0.9-10) on its own example data.

Each value sits next to the R call that produced it (copied from
``../shared/reference/EXPECTED.md``). Data: ``faux.csv`` (389 respondents, one seed,
recruiter of the seed is ``"seed"``) and ``fauxmadrona.csv`` (500 respondents,
10 seeds); both converted from the package's ``.RData`` files.
"""

# data(faux); faux is an rds.data.frame with id="id", recruiter.id="recruiter.id",
# network.size="network.size", population.size N = 1000.
FAUX = {"id": "id", "recruiter": "recruiter.id", "degree": "network.size", "outcome": "X"}
FAUX_N = 1000

# RDS.II.estimates(faux, "X")        (seeds included)
RDS_II_FAUX_X = {"blue": 0.310334112778454, "red": 0.689665887221546}

# count.transitions(faux, "X")       rows: recruiter's X; columns: recruit's X
TRANSITIONS_FAUX_X = {
    ("blue", "blue"): 39,
    ("blue", "red"): 82,
    ("red", "blue"): 79,
    ("red", "red"): 188,
}

# get.stationary.distribution(prop.table(count.transitions(faux, "X"), 1))
STATIONARY_BLUE_FAUX_X = 0.303913776110387

# compute.weights(faux, "RDS-I", outcome.variable="X", N=1000)
RDS_I_WEIGHT_FAUX_X = {"blue": 2.6348583522, "red": 2.5427554038}
RDS_I_COUNT_FAUX_X = {"blue": 118, "red": 271}
# -> RDS.I.estimates(faux, "X")$estimate["blue"]
RDS_I_BLUE_FAUX_X = 0.3109133

# differential.activity.estimates(faux, "X", weight.type="RDS-II")
DIFFERENTIAL_ACTIVITY_FAUX_X = 1.03342283930911

# data(fauxmadrona)
FAUXMADRONA = {"id": "id", "recruiter": "recruiter.id", "degree": "degree", "outcome": "disease"}

# homophily.estimates(fauxmadrona, "disease", N=1000, weight.type="RDS-II")
HOMOPHILY_FAUXMADRONA_DISEASE = 1.60397806961622
