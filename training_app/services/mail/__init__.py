"""Email that is never lost or sent twice (SPEC 6): the outgoing-mail table and its delivery."""
