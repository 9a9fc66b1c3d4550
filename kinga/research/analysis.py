"""The baseline/endline report of a dataset, computed with ``kinga.stats``.

Everything statistical is delegated to ``kinga.stats`` (``SurveyDesign``,
``survey_mean``, ``proportion_interval``, ``difference_in_differences``,
``exposure_association``); this module only turns a stored dataset, its declared design
and its indicators into those calls, and applies small-cell suppression
(``settings.KINGA_SMALL_CELL``) to what is shown.

Groups and counties are *domains* of the full design, never subsets, so their standard
errors are right for a clustered sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from kinga.research.ingest import Frame, IngestError
from kinga.research.models import Dataset, DatasetVariable, DesignSpec, Indicator, IndicatorKind
from kinga.stats.design import SurveyDesign, design_summary
from kinga.stats.did import difference_in_differences, exposure_association
from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate
from kinga.stats.survey import survey_mean
from kinga.stats.survey.intervals import proportion_interval

LEVEL = 0.95


class AnalysisError(IngestError):
    """The design or an indicator cannot be computed; the message says why."""


# ---------------------------------------------------------------------- loading
@lru_cache(maxsize=4)
def _frame_cached(public_id: str, data: bytes) -> Frame:
    del public_id  # part of the cache key only
    import zlib

    return Frame(zlib.decompress(data).decode("utf-8"))


def frame_of(dataset: Dataset) -> Frame:
    """The dataset's rows (cached per process; a dataset's data never changes)."""
    return _frame_cached(str(dataset.public_id), bytes(dataset.data))


DESIGN_ROLES = ("weights", "strata", "psu", "psu2", "fpc", "fpc2")


def build_design(frame: Frame, spec: DesignSpec | None) -> SurveyDesign:
    """The ``SurveyDesign`` declared by ``spec`` (equal weights, no clusters without one)."""
    if spec is None:
        return SurveyDesign(n_rows=frame.n_rows)
    args: dict[str, Any] = {}
    for role in DESIGN_ROLES:
        column = getattr(spec, role)
        if not column:
            continue
        if column not in frame:
            raise AnalysisError(
                _("The design names the column %(column)s, which is not in the dataset.")
                % {"column": repr(column)}
            )
        if role in ("weights", "fpc", "fpc2"):
            values = frame.numeric(column)
            if np.isnan(values).any():
                row = int(np.flatnonzero(np.isnan(values))[0]) + 1
                raise AnalysisError(
                    _("Column %(column)s (%(role)s) is empty in row %(row)d.")
                    % {"column": repr(column), "role": role, "row": row}
                )
            args[role] = values
        else:
            args[role] = frame.text(column)
    try:
        return SurveyDesign(
            args.pop("weights", None),
            nest=spec.nest,
            lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
            n_rows=frame.n_rows,
            **args,
        )
    except StatsInputError as exc:
        raise AnalysisError(_("The design cannot be used: %(reason)s") % {"reason": exc}) from None


def describe_design(spec: DesignSpec | None, design: SurveyDesign) -> str:
    """One paragraph saying how the sample was drawn and how variances are computed."""
    facts = design_summary(design)
    parts: list[str] = []
    if spec is None or not any(getattr(spec, r) for r in DESIGN_ROLES):
        parts.append(_("No design declared: rows are treated as a simple random sample."))
    else:
        if spec.strata:
            parts.append(_("Stratified by %(c)s.") % {"c": spec.strata})
        if spec.psu:
            parts.append(_("Clusters (PSUs): %(c)s.") % {"c": spec.psu})
        if spec.psu2:
            parts.append(_("Second-stage units: %(c)s.") % {"c": spec.psu2})
        if spec.weights:
            parts.append(_("Weights: %(c)s.") % {"c": spec.weights})
        if spec.fpc:
            parts.append(_("Finite population correction: %(c)s.") % {"c": spec.fpc})
        if spec.fpc2:
            parts.append(_("Second-stage correction: %(c)s.") % {"c": spec.fpc2})
    parts.append(
        _(
            "%(rows)d rows, %(strata)d strata, %(psus)d PSUs, %(df)d degrees of freedom. "
            "Standard errors by Taylor linearisation; 95%% intervals use t on the design "
            "degrees of freedom (logit intervals for proportions); groups and counties "
            "are domains of the full design."
        )
        % facts
    )
    if spec is not None and spec.lonely_psu != "fail":
        parts.append(_("Strata with one PSU: %(rule)s.") % {"rule": spec.get_lonely_psu_display()})
    return " ".join(parts)


def indicator_values(
    frame: Frame, indicator: Indicator, variable: DatasetVariable | None
) -> NDArray[np.float64]:
    """0/1 (proportion) or numeric (mean) per row, ``nan`` where the answer is missing."""
    if indicator.variable not in frame:
        raise AnalysisError(
            _("Indicator %(name)s uses the column %(column)s, which is not in the dataset.")
            % {"name": indicator.name, "column": repr(indicator.variable)}
        )
    if indicator.kind == IndicatorKind.MEAN:
        return frame.numeric(indicator.variable)
    text = frame.text(indicator.variable)
    yes = {str(v) for v in indicator.yes_values}
    if variable is not None and variable.multiple:
        hit = np.array([bool(yes & set(cell.split())) for cell in text.tolist()], dtype=bool)
    else:
        hit = np.isin(text, np.array(sorted(yes), dtype=np.str_))
    return np.where(text == "", np.nan, hit.astype(np.float64))


# ---------------------------------------------------------------------- results
@dataclass
class Cell:
    """One shown estimate; ``estimate`` is ``None`` when suppressed or not computable."""

    keys: dict[str, str]
    n: int
    estimate: Estimate | None = None
    suppressed: bool = False
    problem: str = ""


@dataclass
class DiD:
    cells: list[Cell]  # (comparison, baseline), (comparison, endline), (treated, …) …
    did: Estimate | None
    p_value: float | None
    suppressed: bool = False
    problem: str = ""


@dataclass
class Exposure:
    exposed: Cell
    unexposed: Cell
    association: Estimate | None
    p_value: float | None
    adjusted_for: list[str]
    suppressed: bool = False
    problem: str = ""


@dataclass
class IndicatorReport:
    indicator: Indicator
    percent: bool
    by_round: list[Cell] = field(default_factory=list)
    by_group: list[Cell] = field(default_factory=list)
    by_county: list[Cell] = field(default_factory=list)
    did: DiD | None = None
    exposure: Exposure | None = None
    problem: str = ""


@dataclass
class Report:
    dataset: Dataset
    spec: DesignSpec | None
    description: str
    small_cell: int
    rounds: list[tuple[str, str]]  # (value, label)
    indicators: list[IndicatorReport]
    problem: str = ""
    group_label: str = ""
    county_label: str = ""


def _p_value(estimate: Estimate) -> float | None:
    from scipy import stats as sps

    if not (estimate.se > 0) or not math.isfinite(estimate.se):
        return None
    t = abs(estimate.estimate / estimate.se)
    if math.isinf(estimate.df):
        return float(2 * sps.norm.sf(t))
    if estimate.df <= 0:
        return None
    return float(2 * sps.t.sf(t, estimate.df))


class _Estimator:
    """Estimates of one indicator in domains, suppressed below the small-cell size."""

    def __init__(
        self, design: SurveyDesign, y: NDArray[np.float64], proportion: bool, small: int, label: str
    ) -> None:
        self.design, self.y, self.proportion, self.small, self.label = (
            design,
            y,
            proportion,
            small,
            label,
        )
        self.present = ~np.isnan(y)

    def cell(self, keys: dict[str, str], domain: NDArray[np.bool_] | None) -> Cell:
        rows = self.present if domain is None else self.present & domain
        n = int(rows.sum())
        if n < self.small:
            return Cell(keys, n, suppressed=True)
        try:
            est = survey_mean(
                self.design,
                self.y,
                domain=domain,
                na_rm=True,
                level=LEVEL,
                label=self.label,
                by=keys,
            )
            if self.proportion:
                low, high = proportion_interval(
                    est.estimate, est.se, level=LEVEL, df=est.df, n=est.n, method="logit"
                )
                est = Estimate(
                    estimate=est.estimate, se=est.se, ci_low=low, ci_high=high, df=est.df,
                    deff=est.deff, n=est.n, method=f"{est.method}, logit interval",
                    label=est.label, level=est.level, by=est.by, notes=est.notes,
                )  # fmt: skip
        except StatsInputError as exc:
            return Cell(keys, n, problem=str(exc))
        return Cell(keys, n, est)


def _levels(frame: Frame, column: str, variable: DatasetVariable | None) -> list[tuple[str, str]]:
    text = frame.text(column)
    values = np.unique(text[text != ""]).tolist()
    if variable is not None and variable.choices:
        order = [str(c["value"]) for c in variable.choices]
        values.sort(key=lambda v: (order.index(v) if v in order else len(order), v))
    return [(v, variable.choice_label(v) if variable else v) for v in values]


def build_report(dataset: Dataset) -> Report:
    """Compute every indicator's tables for ``dataset`` (its design and indicators)."""
    spec = DesignSpec.objects.filter(dataset=dataset).first()
    variables = {v.name: v for v in dataset.variables.all()}
    indicators = list(dataset.indicators.all())
    small = int(settings.KINGA_SMALL_CELL)
    frame = frame_of(dataset)
    try:
        design = build_design(frame, spec)
    except IngestError as exc:
        return Report(dataset, spec, "", small, [], [], problem=exc.message)  # type: ignore[arg-type]
    report = Report(dataset, spec, describe_design(spec, design), small, [], [])
    rounds: list[tuple[str, str, NDArray[np.bool_] | None]] = [("", _("All rows"), None)]
    if spec is not None and spec.has_rounds:
        round_text = frame.text(spec.round_column)
        rounds = [
            (spec.baseline_value, _("Baseline"), round_text == spec.baseline_value),
            (spec.endline_value, _("Endline"), round_text == spec.endline_value),
        ]
    report.rounds = [(value, label) for value, label, _mask in rounds]
    group_col = spec.group_column if spec else ""
    county_col = spec.county_column if spec else ""
    report.group_label = _variable_title(variables, group_col)
    report.county_label = _variable_title(variables, county_col)
    for indicator in indicators:
        report.indicators.append(
            _indicator_report(frame, design, spec, indicator, variables, rounds, small)
        )
    return report


def _variable_title(variables: dict[str, DatasetVariable], name: str) -> str:
    if not name:
        return ""
    variable = variables.get(name)
    return variable.label or name if variable else name


def _indicator_report(
    frame: Frame,
    design: SurveyDesign,
    spec: DesignSpec | None,
    indicator: Indicator,
    variables: dict[str, DatasetVariable],
    rounds: list[tuple[str, str, NDArray[np.bool_] | None]],
    small: int,
) -> IndicatorReport:
    proportion = indicator.kind == IndicatorKind.PROPORTION
    out = IndicatorReport(indicator, percent=proportion)
    try:
        y = indicator_values(frame, indicator, variables.get(indicator.variable))
    except IngestError as exc:
        out.problem = exc.message  # type: ignore[assignment]
        return out
    est = _Estimator(design, y, proportion, small, indicator.name)
    for _value, label, mask in rounds:
        out.by_round.append(est.cell({"round": label}, mask))
    for column, target in (
        (spec.group_column if spec else "", out.by_group),
        (spec.county_column if spec else "", out.by_county),
    ):
        if not column or column not in frame:
            continue
        text = frame.text(column)
        for value, shown in _levels(frame, column, variables.get(column)):
            for _rv, round_label, mask in rounds:
                domain = text == value if mask is None else (text == value) & mask
                target.append(est.cell({"round": round_label, "level": shown}, domain))
    if spec is not None and spec.has_did and spec.treated_column in frame:
        out.did = _did(frame, design, spec, y, est, indicator.name)
    if spec is not None and spec.has_exposure and spec.exposure_column in frame:
        out.exposure = _exposure(frame, design, spec, y, est, indicator.name, rounds)
    return out


def _did(
    frame: Frame,
    design: SurveyDesign,
    spec: DesignSpec,
    y: NDArray[np.float64],
    est: _Estimator,
    name: str,
) -> DiD:
    round_text = frame.text(spec.round_column)
    pre, post = round_text == spec.baseline_value, round_text == spec.endline_value
    treated_text = frame.text(spec.treated_column)
    treated = treated_text == spec.treated_value
    usable = (pre | post) & (treated_text != "")
    cells: list[Cell] = []
    for t_label, t_mask in ((_("Comparison"), ~treated & usable), (_("Treated"), treated & usable)):
        for r_label, r_mask in ((_("Baseline"), pre), (_("Endline"), post)):
            cells.append(est.cell({"arm": t_label, "round": r_label}, t_mask & r_mask))
    if any(cell.suppressed for cell in cells):
        return DiD(cells, None, None, suppressed=True)
    y_used = np.where(usable, y, np.nan)
    try:
        results = difference_in_differences(
            design,
            y_used,
            treated.astype(float),
            post.astype(float),
            level=LEVEL,
            outcome_name=name,
        )
    except StatsInputError as exc:
        return DiD(cells, None, None, problem=str(exc))
    did = results[-1]
    return DiD(cells, did, _p_value(did))


def _exposure(
    frame: Frame,
    design: SurveyDesign,
    spec: DesignSpec,
    y: NDArray[np.float64],
    est: _Estimator,
    name: str,
    rounds: list[tuple[str, str, NDArray[np.bool_] | None]],
) -> Exposure:
    endline = rounds[-1][2]
    text = frame.text(spec.exposure_column)
    known = text != ""
    exposed = text == spec.exposure_value
    scope = known if endline is None else known & endline
    result = Exposure(
        exposed=est.cell({"exposure": _("Exposed")}, scope & exposed),
        unexposed=est.cell({"exposure": _("Not exposed")}, scope & ~exposed),
        association=None,
        p_value=None,
        adjusted_for=[c for c in spec.covariates if c in frame],
    )
    if result.exposed.suppressed or result.unexposed.suppressed:
        result.suppressed = True
        return result
    covariates: dict[str, Any] = {}
    y_used = y.copy()
    for column in result.adjusted_for:
        variable = frame.text(column)
        covariates[column] = variable
        y_used[variable == ""] = np.nan
    y_used[~scope] = np.nan
    try:
        association = exposure_association(
            design, y_used, exposed.astype(float), covariates or None, domain=scope,
            level=LEVEL, outcome_name=name, exposure_name=spec.exposure_column,
        )  # fmt: skip
    except StatsInputError as exc:
        result.problem = str(exc)
        return result
    result.association = association
    result.p_value = _p_value(association)
    return result
