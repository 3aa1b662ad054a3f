"""The email builder never raises on what people typed, and a line break in a subject or a display name never ends
the header or starts another: control characters become spaces (text saved before it was checked at input)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from training_app.services.mail.mail import build_message


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("Booked: Safeguarding\r\nBcc: everyone@example.org", "Booked: Safeguarding Bcc: everyone@example.org"),
        ("Booked: Safe\rguarding", "Booked: Safe guarding"),
        ("Réservé : Protection\nde l'enfance", "Réservé : Protection de l'enfance"),
        ("Booked: Safe\x1bguarding\u2028Part 2\x85", "Booked: Safe guarding Part 2"),
    ],
)
def test_a_subject_with_control_characters_is_sent_on_one_line(app, monkeypatch, subject, shown):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Training\nteam <training@leics.example>")
    with app.test_request_context():
        message = build_message(["pat@example.org"], subject, "Hello")

    parsed = message_from_bytes(bytes(message), policy=policy.default)
    assert parsed["Subject"] == shown
    assert parsed["Bcc"] is None
    assert str(parsed["From"]) == "Training team <training@leics.example>"
    assert parsed["To"] == "pat@example.org"
