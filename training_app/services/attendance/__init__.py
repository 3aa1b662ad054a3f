"""What happened on the day (SPEC 3.5): registers and walk-ins, the completion rule and training records,
certificates and sign-in sheets, and the registers a trainer has to mark."""
