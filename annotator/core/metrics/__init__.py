"""Built-in automated metrics that label items the way annotators do, stored as predictions."""

from .heuristics import HEURISTICS, METRIC, TAXONOMY, run_heuristics

__all__ = ["HEURISTICS", "METRIC", "TAXONOMY", "run_heuristics"]
