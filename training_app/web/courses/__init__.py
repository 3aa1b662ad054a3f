"""Coordinators' pages for courses, venues and pathways, and each practitioner's pathway page."""
