"""Report emails (SPEC 3.11): the choice on each report page and the list of a user's report emails."""
