"""The step-rating taxonomy that trace formats with their own step labels (PRM800K, ProcessBench) fill."""

STEP_RATING = "step_rating"
RATING_LABEL = {-1: "-1", 0: "0", 1: "+1"}
