"""Complex survey designs and their Taylor-linearisation variance.

A :class:`SurveyDesign` holds the sampling structure (strata, primary and secondary
sampling units, finite population corrections, weights) compiled once into integer
codes, so that each estimate costs one pass over the rows plus work proportional to the
number of PSUs. Estimators (:mod:`kinga.stats.survey`) linearise their statistic into
per-row scores and ask the design for the variance of the scores' total.

The variance is the recursive multistage estimator of R's ``survey`` package
(``svyrecvar``/``multistage``/``onestage``/``onestrat``), as described in Lumley (2010,
ch. 2-3) and Särndal, Swensson & Wretman (1992, sec. 4.3):

.. math::

    \\hat V = \\sum_h (1-f_h) \\frac{n_h}{n_h-1} \\sum_j (z_{hj} - \\bar z_h)^2
      + \\sum_{h,j} f_h \\, \\hat V_{2,hj}

where :math:`z_{hj}` is the total of the scores in PSU *j* of stratum *h*,
:math:`f_h = n_h/N_h` the first-stage sampling fraction, and :math:`\\hat V_{2,hj}` the
same one-stage formula applied to the second-stage units inside PSU *hj* with their own
fpc. As in R (``options(survey.ultimate.cluster = FALSE)``, the default) the second
stage is only added when a finite population correction is given for it; without one,
later stages are treated as sampled completely (R's documented rule for ``fpc`` given
for fewer stages than ``ids``), which leaves the "ultimate cluster" variance.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Lumley, T. R package ``survey``, files ``R/multistage.R`` (``svydesign.default``,
``as.fpc``, ``onestrat``, ``onestage``, ``multistage``) and ``R/surveyrep.R``.
Särndal, C.-E., Swensson, B. & Wretman, J. (1992). *Model Assisted Survey Sampling*.
Springer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kinga.stats.errors import StatsInputError

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_OPTIONS: tuple[str, ...] = get_args(LonelyPSU)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

# R's onestrat() treats a stratum whose (1 - n/N) is below this as self-representing.
_SELF_REPRESENTING = 1e-7


@dataclass(frozen=True)
class Stage:
    """Structure of one sampling stage, compiled to integer codes.

    At stage 1 the "strata" are the design strata and the units are PSUs; at stage 2
    each PSU is the stratum within which its secondary units were drawn.

    Attributes
    ----------
    unit_of_row : unit index (0 … n_units-1) of every row.
    stratum_of_unit : stratum index (0 … n_strata-1) of every unit.
    stratum_labels : a printable label for each stratum (for messages).
    sampled : units sampled in each stratum (:math:`n_h`, counted on the whole data).
    fpc_factor : :math:`1 - n_h/N_h` per stratum (1 when no population size is known).
    sampling_fraction : :math:`n_h/N_h` per stratum (0 when no population size).
    lonely_message : how to describe a stratum with a single unit, ``{label}`` filled in.
    """

    unit_of_row: IntArray
    stratum_of_unit: IntArray
    stratum_labels: Labels
    sampled: FloatArray
    fpc_factor: FloatArray
    sampling_fraction: FloatArray
    lonely_message: str = "stratum {label!r} has only one PSU (a lonely PSU)"

    @property
    def n_units(self) -> int:
        return int(self.stratum_of_unit.shape[0])

    @property
    def n_strata(self) -> int:
        return int(self.sampled.shape[0])

    @cached_property
    def self_representing(self) -> BoolArray:
        return np.asarray(self.fpc_factor < _SELF_REPRESENTING, dtype=np.bool_)

    @cached_property
    def lonely(self) -> BoolArray:
        """Strata with one sampled unit that are not sampled with certainty."""
        return np.asarray((self.sampled == 1) & ~self.self_representing, dtype=np.bool_)

    @cached_property
    def everywhere(self) -> BoolArray:
        """Every stratum active (the no-domain case)."""
        return np.ones(self.n_strata, dtype=np.bool_)

    @cached_property
    def base_scale(self) -> FloatArray:
        """:attr:`scale` with self-representing strata (f = 1) contributing nothing."""
        return np.where(self.self_representing, 0.0, self.scale)

    @cached_property
    def scale(self) -> FloatArray:
        """R's per-stratum multiplier: (1-f)·n/(n-1), or (1-f) for a single unit."""
        n = self.sampled
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(n > 1, n / (n - 1.0), 1.0)
        return np.asarray(self.fpc_factor * ratio, dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """What the variance needs to know about calibrated weights (GREG residuals).

    After calibration the linearised scores are replaced by the residuals of a weighted
    regression on the calibration variables (Deville & Sarndal 1992), exactly as R's
    ``svyrecvar`` does for ``calibrate()`` objects: with ``x`` the auxiliary matrix,
    ``w0`` the weights before and ``g`` the calibration factors,
    :math:`z \\leftarrow g\\sqrt{w_0} \\cdot \\mathrm{resid}(\\sqrt{w_0}x,\\; z/(g\\sqrt{w_0}))`.

    Attributes
    ----------
    basis : orthonormal basis of the column space of ``sqrt(w0) * x``, shape (n, rank).
    g_root_w0 : ``g * sqrt(w0)``, shape (n,).
    """

    basis: FloatArray
    g_root_w0: FloatArray

    def residualise(self, scores: FloatArray) -> FloatArray:
        """Replace (n, k) scores by their calibration residuals."""
        safe = np.where(self.g_root_w0 > 0, self.g_root_w0, 1.0)[:, None]
        scaled = scores / safe
        resid = scaled - self.basis @ (self.basis.T @ scaled)
        return np.asarray(resid * self.g_root_w0[:, None], dtype=np.float64)


class SurveyDesign:
    """A stratified multistage sample, ready for design-based estimation.

    Parameters
    ----------
    weights : sampling weights (inverse inclusion probabilities), one per row. When
        ``None``, they are derived from the finite population corrections as
        :math:`(N_1/n_1)(N_2/m_2)` (R's ``svydesign`` without ``weights``), and are 1
        when no fpc is given either.
    strata : stratum of each row (any labels), or ``None`` for an unstratified design.
    psu : primary sampling unit of each row, or ``None`` when each row is its own PSU.
    psu2 : secondary sampling unit within the PSU (always nested in its PSU).
    fpc, fpc2 : finite population correction at stage 1 (per stratum) and stage 2 (per
        PSU): either population counts (all values > 1) or sampling fractions (all
        values ≤ 1), decided over both stages together as R's ``as.fpc`` does.
    nest : PSU labels restart in every stratum (R's ``nest=TRUE``). Without it, a PSU
        label found in two strata is an error.
    lonely_psu : what to do with a stratum holding a single PSU (R's
        ``options(survey.lonely.psu=)``): ``"fail"`` (default, an error),
        ``"remove"``/``"certainty"`` (no variance contribution), ``"adjust"`` (centre the
        lone PSU at zero, as R's ``survey`` does) or ``"average"`` (replace it by the
        average variance of the other strata).

    Raises
    ------
    StatsInputError
        Missing or invalid design values, PSUs not nested in strata, an fpc that varies
        within a stratum or implies more than 100 % sampling.

    Notes
    -----
    Weights may be zero (such rows count for nothing); negative or missing weights are
    rejected. Estimates for a domain keep the full design: rows outside the domain get
    zero scores, which reproduces R's ``subset()`` of a design (Lumley 2010, sec. 2.3).
    """

    def __init__(
        self,
        weights: ArrayLike | None = None,
        *,
        strata: ArrayLike | None = None,
        psu: ArrayLike | None = None,
        psu2: ArrayLike | None = None,
        fpc: ArrayLike | None = None,
        fpc2: ArrayLike | None = None,
        nest: bool = False,
        lonely_psu: LonelyPSU = "fail",
        n_rows: int | None = None,
    ) -> None:
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise StatsInputError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}, not {lonely_psu!r}"
            )
        n = _row_count(n_rows, weights, strata, psu, psu2, fpc, fpc2)
        if psu2 is not None and psu is None:
            raise StatsInputError("a second-stage unit (psu2) needs a first-stage psu")
        if fpc2 is not None and (fpc is None or psu2 is None):
            raise StatsInputError("fpc2 needs both fpc (stage 1) and psu2 (stage 2)")

        stratum_code, stratum_labels = _codes(strata, n, "strata")
        psu_key = np.arange(n) if psu is None else _require_present(psu, n, "psu")
        psu_code, psu_labels = _codes(psu_key, n, "psu")
        if nest:
            psu_code, psu_labels = _combine(stratum_code, psu_code, stratum_labels, psu_labels)
        else:
            _check_nested(stratum_code, psu_code, stratum_labels, psu_labels)
        stratum_of_psu = np.zeros(len(psu_labels), dtype=np.intp)
        stratum_of_psu[psu_code] = stratum_code
        sampled1 = np.bincount(stratum_of_psu, minlength=len(stratum_labels)).astype(np.float64)

        ssu_code: IntArray | None = None
        psu_of_ssu: IntArray | None = None
        sampled2: FloatArray | None = None
        if psu2 is not None:
            raw_ssu, ssu_labels = _codes(psu2, n, "psu2")
            ssu_code, _ = _combine(psu_code, raw_ssu, psu_labels, ssu_labels)
            psu_of_ssu = np.zeros(int(ssu_code.max()) + 1, dtype=np.intp)
            psu_of_ssu[ssu_code] = psu_code
            sampled2 = np.bincount(psu_of_ssu, minlength=len(psu_labels)).astype(np.float64)

        pop1, pop2 = _population_sizes(
            fpc, fpc2, stratum_code, sampled1, psu_code, sampled2, stratum_labels, psu_labels
        )
        self.n_rows = n
        self.nest = nest
        self.lonely_psu: LonelyPSU = lonely_psu
        self.has_fpc = pop1 is not None
        self.stage1 = _stage(psu_code, stratum_of_psu, stratum_labels, sampled1, pop1)
        self.stage2: Stage | None = None
        if (
            ssu_code is not None
            and psu_of_ssu is not None
            and sampled2 is not None
            and pop2 is not None
        ):
            self.stage2 = _stage(
                ssu_code,
                psu_of_ssu,
                psu_labels,
                sampled2,
                pop2,
                lonely_message="PSU {label!r} has only one sampled second-stage unit",
            )
        self.stratum_of_row: IntArray = stratum_code
        self.weights: FloatArray = _weights(
            weights,
            n,
            psu_code,
            stratum_code,
            sampled1,
            pop1,
            ssu_code,
            psu_of_ssu,
            sampled2,
            pop2,
        )
        self.calibrations: tuple[Calibration, ...] = ()
        self._set_weight_summaries()

    def _set_weight_summaries(self) -> None:
        # Computed once: what every full-sample estimate would otherwise recompute.
        self._full_df = self._count_df(self.weights != 0)
        self.unit_weight_totals: FloatArray = self.unit_totals(self.weights)
        self.weight_total = float(self.unit_weight_totals.sum())

    # ------------------------------------------------------------------ structure
    @property
    def n_psu(self) -> int:
        return self.stage1.n_units

    @property
    def n_strata(self) -> int:
        return self.stage1.n_strata

    def with_weights(
        self, weights: FloatArray, calibrations: tuple[Calibration, ...] = ()
    ) -> SurveyDesign:
        """A copy sharing this design's structure, with new weights.

        ``calibrations`` (from :mod:`kinga.stats.calibration`) say how the weights were
        calibrated; the variance residualises the scores on each in turn, as R does for
        its list of ``postStrata``. Plain new weights carry none.
        """
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != (self.n_rows,):
            raise StatsInputError(f"weights must have {self.n_rows} values")
        clone = object.__new__(SurveyDesign)
        clone.__dict__.update(self.__dict__)
        clone.weights = weights
        clone.calibrations = calibrations
        clone._set_weight_summaries()
        return clone

    def with_lonely_psu(self, lonely_psu: LonelyPSU) -> SurveyDesign:
        """A copy with another lonely-PSU rule."""
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise StatsInputError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}")
        clone = object.__new__(SurveyDesign)
        clone.__dict__.update(self.__dict__)
        clone.lonely_psu = lonely_psu
        return clone

    def degrees_of_freedom(self, rows: BoolArray | None = None) -> int:
        """PSUs minus strata among rows in use with non-zero weight (R's ``degf``)."""
        if rows is None:
            return self._full_df
        return self._count_df(rows & (self.weights != 0))

    def _count_df(self, rows: BoolArray) -> int:
        psus = np.bincount(self.stage1.unit_of_row[rows], minlength=self.n_psu) > 0
        strata = np.bincount(self.stage1.stratum_of_unit[psus], minlength=self.n_strata) > 0
        return int(psus.sum() - strata.sum())

    # ------------------------------------------------------------------ variance
    def variance(self, scores: FloatArray, rows: BoolArray | None = None) -> float:
        """Design variance of the total of linearised ``scores`` (one value per row).

        Parameters
        ----------
        scores : per-row linearised values, already zero outside the domain.
        rows : the rows the estimate uses (domain and non-missing), or ``None`` for all.
            Only strata and PSUs touched by these rows are checked for lonely PSUs and
            counted by ``lonely_psu="average"``, as R does for a subset design.
        """
        return float(self.covariance(scores[:, None], rows)[0, 0])

    def covariance(self, scores: FloatArray, rows: BoolArray | None = None) -> FloatArray:
        """Design covariance matrix of the column totals of ``scores`` (rows x k)."""
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 2 or scores.shape[0] != self.n_rows:
            raise ValueError("scores must have shape (n_rows, k)")
        for calibration in self.calibrations:
            scores = calibration.residualise(scores)
        totals = np.column_stack([self.unit_totals(scores[:, j]) for j in range(scores.shape[1])])
        return self.covariance_of_unit_totals(totals, rows)

    @property
    def finest_units(self) -> int:
        """Number of final-stage units (SSUs with a second stage, else PSUs)."""
        return self._finest.n_units

    def unit_totals(self, values: FloatArray) -> FloatArray:
        """Totals of per-row ``values`` in each final-stage unit: one ``bincount`` pass.

        Estimators that are linear in the weights can pass these to
        :meth:`covariance_of_unit_totals` instead of materialising row-level scores.
        """
        return np.bincount(self._finest.unit_of_row, values, minlength=self._finest.n_units)

    def covariance_of_unit_totals(
        self, totals: FloatArray, rows: BoolArray | None = None
    ) -> FloatArray:
        """Design covariance from final-stage unit totals of scores (units x k).

        Calibrated designs need row-level scores (their residuals are taken row by
        row); use :meth:`covariance` for those.
        """
        if totals.ndim == 1:
            totals = totals[:, None]
        if self.stage2 is None:
            return _between_unit_covariance(self.stage1, totals, rows, self.lonely_psu)
        k = totals.shape[1]
        psu_totals = np.empty((self.n_psu, k), dtype=np.float64)
        for j in range(k):
            psu_totals[:, j] = np.bincount(self.stage2.stratum_of_unit, totals[:, j], self.n_psu)
        cov = _between_unit_covariance(self.stage1, psu_totals, rows, self.lonely_psu)
        # Second-stage variance inside each PSU, times that PSU's stage-1 sampling
        # fraction n_h/N_h (R: multistage() * nPSUs/fpcs).
        parent = self.stage1.sampling_fraction[self.stage1.stratum_of_unit]
        return cov + _between_unit_covariance(self.stage2, totals, rows, self.lonely_psu, parent)

    @property
    def _finest(self) -> Stage:
        return self.stage1 if self.stage2 is None else self.stage2


# ---------------------------------------------------------------------- variance core
def _between_unit_covariance(
    stage: Stage,
    totals: FloatArray,
    rows: BoolArray | None,
    lonely_psu: LonelyPSU,
    stratum_multiplier: FloatArray | None = None,
) -> FloatArray:
    """One-stage between-unit covariance of unit ``totals`` (units x k): R's
    ``onestage``/``onestrat`` vectorised.

    Stratum means divide by the number of units *sampled*, so units with no row in the
    domain count as zero totals - R's padding with zero rows in ``onestrat``.
    """
    k = totals.shape[1]
    stratum_sum = np.empty((stage.n_strata, k), dtype=np.float64)
    for j in range(k):
        stratum_sum[:, j] = np.bincount(stage.stratum_of_unit, totals[:, j], stage.n_strata)
    means = stratum_sum / stage.sampled[:, None]

    if rows is None:
        active = stage.everywhere
    else:
        units_used = np.bincount(stage.unit_of_row[rows], minlength=stage.n_units) > 0
        active = np.bincount(stage.stratum_of_unit[units_used], minlength=stage.n_strata) > 0

    scale = stage.base_scale if rows is None else np.where(active, stage.base_scale, 0.0)
    lonely = stage.lonely & active
    expand = 1.0
    if lonely.any():
        scale = scale.copy()
        if lonely_psu == "fail":
            first = stage.stratum_labels[int(np.flatnonzero(lonely)[0])]
            raise StatsInputError(
                stage.lonely_message.format(label=first)
                + "; choose a lonely-PSU rule (remove, certainty, adjust or average)"
            )
        if lonely_psu in ("remove", "certainty"):
            scale[lonely] = 0.0
        elif lonely_psu == "adjust":
            means[lonely] = 0.0  # R centres a lone PSU at zero rather than its own value
        else:  # average: other strata's variance stands in for the lonely ones
            scale[lonely] = 0.0
            n_active, n_ok = int(active.sum()), int((active & ~lonely).sum())
            expand = n_active / n_ok if n_ok else 0.0
    if stratum_multiplier is not None:
        scale = scale * stratum_multiplier
    deviations = totals - means[stage.stratum_of_unit]
    unit_scale = scale[stage.stratum_of_unit]
    # einsum rather than a BLAS product: waking BLAS threads costs milliseconds
    cov = np.einsum("uk,u,ul->kl", deviations, unit_scale, deviations) * expand
    return np.asarray(cov, dtype=np.float64)


# ---------------------------------------------------------------------- construction
def _row_count(n_rows: int | None, *columns: ArrayLike | None) -> int:
    lengths = {len(np.asarray(c)) for c in columns if c is not None}
    if n_rows is not None:
        lengths.add(n_rows)
    if len(lengths) > 1:
        raise StatsInputError(f"design columns have different lengths: {sorted(lengths)}")
    if not lengths:
        raise StatsInputError("give weights, strata, psu or n_rows so the design has rows")
    n = lengths.pop()
    if n == 0:
        raise StatsInputError("the design has no rows")
    return n


def _require_present(values: ArrayLike, n: int, what: str) -> NDArray[np.generic]:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != n:
        raise StatsInputError(f"{what} must be one value per row")
    if array.dtype.kind == "f":
        bad = np.isnan(array)
    elif array.dtype.kind in "US":
        bad = array == ""
    elif array.dtype.kind == "O":
        bad = np.array([v is None or v == "" for v in array], dtype=np.bool_)
    else:
        bad = np.zeros(n, dtype=np.bool_)
    if bad.any():
        raise StatsInputError(f"{what} is missing in row {int(np.flatnonzero(bad)[0]) + 1}")
    return array


class Labels:
    """Printable labels of coded units, formatted only when a message needs one.

    Building a string per PSU up front would cost more than an estimate does.
    """

    def __init__(
        self, values: NDArray[Any], outer: Labels | None = None, inner: Labels | None = None
    ) -> None:
        self._values = values  # unique values, or pair keys when outer/inner are given
        self._outer, self._inner = outer, inner

    def __len__(self) -> int:
        return int(self._values.shape[0])

    def __getitem__(self, index: int | np.integer[Any]) -> str:
        value = self._values[int(index)]
        if self._outer is not None and self._inner is not None:
            k = len(self._inner)
            return f"{self._outer[int(value) // k]}.{self._inner[int(value) % k]}"
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        return str(value)


def _codes(values: ArrayLike | None, n: int, what: str) -> tuple[IntArray, Labels]:
    """Integer codes 0..k-1 in sorted label order, and their labels."""
    if values is None:
        return np.zeros(n, dtype=np.intp), Labels(np.array(["1"]))
    array = _require_present(values, n, what)
    if array.dtype.kind == "O":
        array = array.astype(np.str_)
    dense = _dense_integer_codes(array)
    if dense is not None:
        return dense
    unique, codes = np.unique(array, return_inverse=True)
    return codes.astype(np.intp).reshape(n), Labels(unique)


def _dense_integer_codes(array: NDArray[Any]) -> tuple[IntArray, Labels] | None:
    """O(n) coding of integer labels in a modest range, avoiding ``np.unique``'s sort."""
    if array.dtype.kind not in "iuf" or array.size == 0:
        return None
    low, high = array.min(), array.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > 4 * array.size + 1024:
        return None
    if array.dtype.kind == "f" and not np.array_equal(array, np.floor(array)):
        return None
    offset = (array - low).astype(np.intp)
    present = np.bincount(offset) > 0
    remap = np.cumsum(present) - 1
    return remap[offset], Labels(np.flatnonzero(present) + low)


def _combine(
    outer: IntArray, inner: IntArray, outer_labels: Labels, inner_labels: Labels
) -> tuple[IntArray, Labels]:
    """Codes for (outer, inner) pairs, e.g. PSUs nested in strata."""
    key = outer * len(inner_labels) + inner
    codes, unique = _dense_integer_codes(key) or _codes(key, key.shape[0], "pair")
    return codes, Labels(unique._values, outer_labels, inner_labels)


def _check_nested(
    stratum: IntArray, psu: IntArray, stratum_labels: Labels, psu_labels: Labels
) -> None:
    first = np.full(len(psu_labels), -1, dtype=np.intp)
    first[psu[::-1]] = stratum[::-1]  # stratum of each PSU's first row
    clash = first[psu] != stratum
    if clash.any():
        row = int(np.flatnonzero(clash)[0])
        label = psu_labels[psu[row]]
        raise StatsInputError(
            f"PSU {label!r} appears in strata {stratum_labels[first[psu[row]]]!r} and "
            f"{stratum_labels[stratum[row]]!r} (row {row + 1}); use nest (--nest) if PSU "
            "labels restart in each stratum"
        )


def _population_sizes(
    fpc: ArrayLike | None,
    fpc2: ArrayLike | None,
    stratum: IntArray,
    sampled1: FloatArray,
    psu: IntArray,
    sampled2: FloatArray | None,
    stratum_labels: Labels,
    psu_labels: Labels,
) -> tuple[FloatArray | None, FloatArray | None]:
    """Population size per stratum (stage 1) and per PSU (stage 2), as R's ``as.fpc``."""
    if fpc is None:
        return None, None
    values1 = _fpc_values(fpc, len(stratum), "fpc")
    values2 = None if fpc2 is None else _fpc_values(fpc2, len(stratum), "fpc2")
    every = values1 if values2 is None else np.concatenate([values1, values2])
    counts = bool((every > 1).any())
    if counts and (every < 1).any():
        raise StatsInputError(
            "fpc mixes population counts (> 1) with sampling fractions (< 1); use one kind"
        )
    pop1 = _per_group(values1, stratum, len(sampled1), stratum_labels, "fpc", "stratum")
    pop1 = pop1 if counts else sampled1 / pop1
    _check_not_oversampled(pop1, sampled1, stratum_labels, "fpc", "stratum")
    pop2 = None
    if values2 is not None and sampled2 is not None:
        pop2 = _per_group(values2, psu, len(sampled2), psu_labels, "fpc2", "PSU")
        pop2 = pop2 if counts else sampled2 / pop2
        _check_not_oversampled(pop2, sampled2, psu_labels, "fpc2", "PSU")
    return pop1, pop2


def _fpc_values(values: ArrayLike, n: int, what: str) -> FloatArray:
    array = np.asarray(_require_present(values, n, what), dtype=np.float64)
    bad = ~(array > 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise StatsInputError(f"{what} must be positive; row {row + 1} has {array[row]:g}")
    return array


def _per_group(
    values: FloatArray, group: IntArray, k: int, labels: Labels, what: str, unit: str
) -> FloatArray:
    first = np.zeros(k, dtype=np.float64)
    first[group[::-1]] = values[::-1]
    varies = first[group] != values
    if varies.any():
        row = int(np.flatnonzero(varies)[0])
        raise StatsInputError(
            f"{what} varies within {unit} {labels[group[row]]!r} (row {row + 1}); it must "
            f"be constant within each {unit}"
        )
    return first


def _check_not_oversampled(
    population: FloatArray, sampled: FloatArray, labels: Labels, what: str, unit: str
) -> None:
    # R tolerates rounding up to a ratio of 1.00000001 before calling it >100 % sampling.
    over = sampled > population * (1 + 1e-8)
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise StatsInputError(
            f"{what} implies more than 100% sampling in {unit} {labels[i]!r}: "
            f"{int(sampled[i])} units sampled from a population of {population[i]:g}"
        )


def _stage(
    unit_of_row: IntArray,
    stratum_of_unit: IntArray,
    stratum_labels: Labels,
    sampled: FloatArray,
    population: FloatArray | None,
    lonely_message: str = Stage.lonely_message,
) -> Stage:
    if population is None:
        fpc_factor = np.ones_like(sampled)
        fraction = np.zeros_like(sampled)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(np.isinf(population), 0.0, sampled / population)
        fpc_factor = np.asarray(1.0 - fraction, dtype=np.float64)
    return Stage(
        unit_of_row, stratum_of_unit, stratum_labels, sampled, fpc_factor, fraction, lonely_message
    )


def _weights(
    weights: ArrayLike | None,
    n: int,
    psu: IntArray,
    stratum: IntArray,
    sampled1: FloatArray,
    pop1: FloatArray | None,
    ssu: IntArray | None,
    psu_of_ssu: IntArray | None,
    sampled2: FloatArray | None,
    pop2: FloatArray | None,
) -> FloatArray:
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise StatsInputError("weights must be one value per row")
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            problem = "missing" if np.isnan(w[row]) else f"{w[row]:g}"
            raise StatsInputError(
                f"weights must be finite and non-negative; row {row + 1} has {problem}"
            )
        return w
    if pop1 is None:
        return np.ones(n, dtype=np.float64)
    # R: weights(fpc, final=FALSE) = popsize/sampsize at each stage, multiplied.
    w = (pop1 / sampled1)[stratum]
    if pop2 is not None and sampled2 is not None and ssu is not None:
        w = w * (pop2 / sampled2)[psu]
    if not np.isfinite(w).all():
        raise StatsInputError("weights not given and cannot be computed from the fpc")
    return np.asarray(w, dtype=np.float64)


def design_summary(design: SurveyDesign) -> dict[str, object]:
    """A few facts about the design, for reports and ``--json`` notes."""
    return {
        "rows": design.n_rows,
        "strata": design.n_strata,
        "psus": design.n_psu,
        "stages": 1 if design.stage2 is None else 2,
        "fpc": design.has_fpc,
        "lonely_psu": design.lonely_psu,
        "df": design.degrees_of_freedom(),
    }


__all__ = [
    "LONELY_PSU_OPTIONS",
    "Calibration",
    "LonelyPSU",
    "Stage",
    "SurveyDesign",
    "design_summary",
]
