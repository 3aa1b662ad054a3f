"""The workforce as it moves (SPEC 3.1): who is in post on a date; joiners and leavers; targets (SPEC 3.10)."""
