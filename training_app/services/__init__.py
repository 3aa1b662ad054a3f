"""The rules, as named verbs, in one package per domain; each package's docstring says what it owns."""
