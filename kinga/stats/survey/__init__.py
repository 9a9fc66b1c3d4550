"""Design-based survey estimation: means, totals, proportions, ratios, by-groups.

Build a :class:`~kinga.stats.design.SurveyDesign` once, then call the estimators; each
returns :class:`~kinga.stats.result.Estimate` objects.
"""

from kinga.stats.design import SurveyDesign
from kinga.stats.survey.estimators import (
    survey_mean,
    survey_proportions,
    survey_ratio,
    survey_total,
)
from kinga.stats.survey.groups import by_groups

__all__ = [
    "SurveyDesign",
    "by_groups",
    "survey_mean",
    "survey_proportions",
    "survey_ratio",
    "survey_total",
]
