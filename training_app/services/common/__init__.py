"""Rules every other domain leans on: London time, financial years and working days, loading a record by the key
people type, and working on many rows within the databases' limits."""
