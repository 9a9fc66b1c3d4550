class StatsInputError(ValueError):
    """Bad data or options; the message names the column, row or option at fault."""
