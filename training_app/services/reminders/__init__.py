"""What the scheduler sends and sweeps (SPEC 3.6): refresher, session and re-awareness reminders with their emails,
nightly housekeeping, and the scheduler's heartbeat."""
