"""Sessions (SPEC 3.3): planning and checking them, scheduling, what may change once booked, listings, calendars and
the emails about a session's changes."""
