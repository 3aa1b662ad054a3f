"""Webhooks (SPEC 3.11): registering, pausing and deleting them, recording an event's deliveries in the transaction
of its change, and POSTing them signed, with retries and a log."""
