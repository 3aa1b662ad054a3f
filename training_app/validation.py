"""Checks shared by forms, imports, the API and the command line."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# C0 controls (tab and line breaks among them), DEL, C1 controls, and Unicode's line and paragraph separators. None
# belongs in a title, a name or a code: each reaches an email header, a calendar property or a PDF line, where a
# line break ends the line (the header parser and the .ics builder refuse it) and the others print as nothing.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What multi-line text (a description, notes) may hold besides printable characters.
LINE_BREAKS_AND_TABS = frozenset("\n\r\t")
CONTROL_RUN = re.compile("[\\s\x00-\x1f\x7f-\x9f\u2028\u2029]*[\x00-\x1f\x7f-\x9f\u2028\u2029][\\s\x00-\x1f\x7f-\x9f]*")
# Codes of authorities, organisations, courses and sessions: capital letters, digits and hyphens, as in CAF-REFRESH
# or CAF-2008-014. They are keys in addresses (/courses/CAF/edit) and parts of session codes, so a slash, a dot,
# a space or a lower-case letter is refused rather than saved and then unreachable.
CODE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
CODE_RULE = "capital letters, digits and hyphens, starting with a letter or digit, like CAF-REFRESH"


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


def control_character_problem(value: str, multiline: bool = False) -> str | None:
    """Why a title, name or code cannot be saved as typed (a line break or another control character), or None.

    `multiline` text (descriptions, notes) may hold line breaks and tabs, but no other control character."""
    for match in CONTROL_CHARACTERS.finditer(value):
        if multiline and match.group() in LINE_BREAKS_AND_TABS:
            continue
        if match.group() in "\r\n\u2028\u2029":
            return "must be on one line (it contains a line break)"
        return f"must not contain control characters (it contains U+{ord(match.group()):04X})"
    return None


def code_problem(value: str) -> str | None:
    """Why a code is not in the codes' alphabet, or None when it is."""
    return None if CODE.fullmatch(value) else f"must be {CODE_RULE}"


def one_line(value: str) -> str:
    """Text made safe for one line of output (an email subject, a display name): every run of control characters,
    with the spaces around it, becomes one space. For text saved before it was checked at input."""
    if value.isprintable():
        return value
    return CONTROL_RUN.sub(" ", value).strip()
