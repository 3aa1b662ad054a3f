"""The schedule as data (job id -> trigger) and the one scheduler process that runs it (SPEC 3.6, issue 11)."""
