"""Who may do what: users, roles and scopes, sign-in and its throttling, invitation and reset links, API tokens, the
audit trail and its viewer, settings, and personal data (subject access, anonymising, merging records)."""
