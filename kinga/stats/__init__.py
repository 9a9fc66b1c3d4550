"""Estimators for programme evaluation: pure NumPy/SciPy, no Django.

Every estimator returns :class:`kinga.stats.result.Estimate` objects, never bare floats,
and takes randomness only from a passed ``numpy.random.Generator``.
"""

from kinga.stats.result import Estimate

__all__ = ["Estimate"]
