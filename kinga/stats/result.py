"""The one result type every estimator returns."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its uncertainty and how it was obtained.

    Attributes
    ----------
    estimate : the point estimate.
    se : standard error (``nan`` when the method gives none).
    ci_low, ci_high : confidence interval bounds at ``level``.
    df : degrees of freedom used for the interval (``inf`` for a normal interval).
    deff : design effect, when asked for and defined.
    n : number of observations used.
    method : short name of the estimator and variance method.
    label : what was estimated (e.g. ``mean(api00)``, ``prop(sch.wide=Yes)``).
    by : the domain keys for grouped estimates, e.g. ``{"stype": "E"}``.
    notes : anything a reader must know (lonely PSUs removed, seeds excluded, …).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float = math.inf
    deff: float | None = None
    n: int = 0
    method: str = ""
    label: str = ""
    level: float = 0.95
    by: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        def clean(value: float | None) -> float | None:
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                return None
            return float(value)

        out: dict[str, Any] = {
            "label": self.label,
            "estimate": clean(self.estimate),
            "se": clean(self.se),
            "ci_low": clean(self.ci_low),
            "ci_high": clean(self.ci_high),
            "df": clean(self.df),
            "deff": clean(self.deff),
            "n": int(self.n),
            "method": self.method,
            "level": self.level,
        }
        if self.by:
            out["by"] = dict(self.by)
        if self.notes:
            out["notes"] = list(self.notes)
        return out
