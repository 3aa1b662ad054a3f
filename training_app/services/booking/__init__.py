"""Places on sessions (SPEC 3.4): the places a session's bookings take, the checks before a place, booking one person
or a group, requests, transfers and substitutions, the waiting list, charges, the booker's staff list and the
emails about a booking."""
