"""What the programme offers (SPEC 3.2, 3.3): courses, pathways by responsibility group and their editor, venues,
trainers, and the reference data administrators keep."""
