"""Webhooks for admins (SPEC 3.11): register, pause and resume, delete, and each one's delivery log."""
