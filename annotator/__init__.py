"""annotator: annotate rubrics, captions and reasoning traces; measure agreement and metric F1."""

__version__ = "0.1.0"
