"""Checks shared by forms, imports, the API and the command line."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def email_problem(value: str) -> str | None:
    """Why an email address is not valid, or None when it is.

    No DNS look-up (councils' mail hosts need not answer from here) and test domains such as
    `.test` are allowed, so training sandboxes can use them.
    """
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        return str(exc)
    return None
