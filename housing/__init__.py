"""Housing-support cases: households helped to replace temporary or dilapidated houses."""
