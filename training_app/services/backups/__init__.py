"""Backups (SPEC 3.11): one file holding a consistent snapshot of the database and the evidence folders, taken while
the service runs, and restored into an empty database of either kind."""
