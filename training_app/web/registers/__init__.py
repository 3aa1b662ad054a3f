"""Attendance registers: marking, walk-ins and the sign-in sheet; certificates and training records."""
