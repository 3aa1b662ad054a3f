"""Supply cover for schools (SPEC 3.7): funds and rate cards, claimable lines and drafts, evidence, finance's
decisions and their emails, lists and the finance batch, and sharing a fund to the penny."""
