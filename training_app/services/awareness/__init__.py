"""Awareness-only sectors (SPEC 3.8): sign-offs and their evidence, the coverage grid, and presentations."""
