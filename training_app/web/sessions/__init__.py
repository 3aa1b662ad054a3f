"""Sessions: finding, scheduling and their calendars."""
