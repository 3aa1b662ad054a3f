"""Targets pages (SPEC 3.10): progress per organisation and authority, set and change forms, a chart over time."""
