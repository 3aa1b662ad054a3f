"""Invitations and password resets: single-use, expiring links emailed to set a password (SPEC 2)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import AccountLink, AuditAction, LinkPurpose, Practitioner, ResetRequest, Role, User, hash_token, utcnow
from ..common.locks import lock_name, lock_row
from ..mail.mail import send_email
from . import audit
from .accounts import AccountError, create_user, end_sessions, password_problem, taken_refused
from .sign_in import password_sign_in_for_everyone

INVITATION_VALID_FOR = timedelta(days=7)
RESET_VALID_FOR = timedelta(hours=1)
VALID_FOR = {LinkPurpose.INVITATION: INVITATION_VALID_FOR, LinkPurpose.PASSWORD_RESET: RESET_VALID_FOR}
LINK_REFUSED = "This link has expired or has already been used"
# Reset emails one address, or one IP address, may ask for in an hour: enough for a lost email, too few to flood.
RESETS_PER_ADDRESS = 3
RESETS_PER_IP = 20
RESET_LIMIT_WINDOW = timedelta(hours=1)

# Builds the page address a link's secret is emailed in (the web layer knows the host name; services do not).
LinkUrl = Callable[[str], str]


class ResetLimited(Exception):
    """Too many reset emails were asked for lately, for this address or from this IP; `retry_after` in seconds.

    The same for an address with an account and one without, so the limit tells nobody which is which.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many password reset emails have been asked for: try again later")
        self.retry_after = retry_after


class LinkRefused(Exception):
    """A link to set a password was unknown, used, expired, or its account is switched off: one message for all."""

    def __init__(self) -> None:
        super().__init__(LINK_REFUSED)


# The action recorded when a link is used, by what the link was for.
PASSWORD_SET_BY = {
    LinkPurpose.INVITATION: AuditAction.PASSWORD_SET_BY_INVITATION,
    LinkPurpose.PASSWORD_RESET: AuditAction.PASSWORD_SET_BY_PASSWORD_RESET,
}


def invite_user(
    email: str,
    role: Role | str,
    link_url: LinkUrl,
    by: User,
    organisation_code: str | None = None,
    authority_codes: list[str] | tuple[str, ...] = (),
    name: str = "",
) -> User:
    """Create an account with no usable password and email it a link, valid 7 days, to set one; committed.

    A practitioner's account is joined to the practitioner record with the same email, which must exist.
    """
    user = create_user(email, role, _unusable_password(), organisation_code, authority_codes, name)
    token = _new_link(user, LinkPurpose.INVITATION)
    audit.record(by, AuditAction.USER_INVITED, user, new={"email": user.email, **_scope(user)})
    _send_invitation(user, link_url(token), by)  # joins the transaction: sent once it commits, never if it fails
    with taken_refused(user.email):  # someone invited the same email, or the same practitioner, a moment earlier
        db.session.commit()
    return user


def invite_practitioner(practitioner: Practitioner, link_url: LinkUrl, by: User) -> User:
    """Give a practitioner an account from their record: an invitation to their email, joined to the record."""
    name = f"{practitioner.first_name} {practitioner.last_name}".strip()
    return invite_user(practitioner.email, Role.PRACTITIONER, link_url, by, name=name)


def request_password_reset(email: str, link_url: LinkUrl, ip: str | None = None) -> None:
    """Email a reset link, valid 1 hour, to an active account; any other address gets an email saying so.

    Both paths make a secret, hash it, query the same tables and send one email, so neither the page nor its
    timing tells the person asking whether the address has an account. Both count towards the limits
    (RESETS_PER_ADDRESS and RESETS_PER_IP an hour), raising ResetLimited beyond them, with nothing sent.
    """
    email = email.strip().lower()
    _count_reset_request(email, ip)
    token = secrets.token_urlsafe(32)
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None or not user.active:
        hash_token(token)
        send_email([email], "Password reset", _NO_ACCOUNT_BODY)  # joins the transaction: sent once it commits
        db.session.commit()
        return
    if not signs_in_with_password(user):  # no password to reset: say how they sign in instead, and make no link
        hash_token(token)
        body = _SINGLE_SIGN_ON_RESET_BODY.format(provider=current_app.config["OIDC_NAME"], url=_sign_in_url())
        send_email([email], "Password reset", body)  # joins the transaction: sent once it commits
        db.session.commit()
        return
    _end_links(user, LinkPurpose.PASSWORD_RESET)
    db.session.add(_link(user, LinkPurpose.PASSWORD_RESET, token))
    audit.record(user, AuditAction.PASSWORD_RESET_REQUESTED, user)
    send_email([email], "Reset your password", _RESET_BODY.format(url=link_url(token)))  # sent once committed
    db.session.commit()


def _count_reset_request(email: str, ip: str | None) -> None:
    """Refuse a request over either limit; otherwise note it (committed by the caller, with or without an account)."""
    email_hash = hash_token(email)
    # Counted, then noted: two requests at once would both count the same rows and both pass. The address (which may
    # have no account, so no row to lock) and the IP are locked by name first, always in that order.
    lock_name(f"password-reset:{email_hash}")
    if ip:
        lock_name(f"password-reset-ip:{ip[:64]}")
    since = utcnow() - RESET_LIMIT_WINDOW
    checks = [(ResetRequest.email_hash == email_hash, RESETS_PER_ADDRESS)]
    if ip:
        checks.append((ResetRequest.ip == ip[:64], RESETS_PER_IP))
    for condition, limit in checks:
        times = db.session.scalars(
            sa.select(ResetRequest.at).where(condition, ResetRequest.at > since).order_by(ResetRequest.at.desc())
        ).all()
        if len(times) >= limit:
            oldest_counted = times[limit - 1]
            db.session.rollback()
            raise ResetLimited(max(1, int((oldest_counted + RESET_LIMIT_WINDOW - utcnow()).total_seconds()) + 1))
    db.session.add(ResetRequest(email_hash=email_hash, ip=ip[:64] if ip else None, at=utcnow()))


def invitation_pending(user: User) -> bool:
    """Whether the account was invited and has never been signed in to, so its invitation may be sent again."""
    if not user.active or user.last_sign_in_at is not None:
        return False
    invited = db.session.execute(
        sa.select(AccountLink.id).filter_by(user_id=user.id, purpose=LinkPurpose.INVITATION).limit(1)
    ).first()
    return invited is not None


def latest_invitation(user: User) -> int | None:
    """The id of the newest invitation link sent to the account (used or not), or None: a page sending the invitation
    again names it, so that of two resends at once only the first sends one (`resend_invitation`)."""
    return db.session.scalar(
        sa.select(sa.func.max(AccountLink.id)).filter_by(user_id=user.id, purpose=LinkPurpose.INVITATION)
    )


def resend_invitation(user: User, link_url: LinkUrl, by: User, replacing: int | None = None) -> None:
    """Send a fresh invitation link, valid 7 days; the earlier ones stop working. Audited, committed.

    `replacing` is the newest invitation the page showed (`latest_invitation`): when another has been sent since
    (a second click, another administrator at the same moment), nothing is sent, so the person gets one email with
    the one link that works. The account's row is locked first, so two resends at once run one after the other.
    Raises AccountError for an account that has been signed in to (it resets its password instead) or is off, and
    for an invitation sent since the page was shown.
    """
    user = lock_row(User, user.id)
    if replacing is not None and latest_invitation(user) != replacing:
        email = user.email
        db.session.rollback()
        raise AccountError(
            f"a new invitation was sent to {email} a moment ago: its link is the one that works, "
            "so no other has been sent"
        )
    if not invitation_pending(user):
        raise AccountError(
            f"{user.email} is not waiting for an invitation: they have signed in, or the account is switched off"
        )
    _end_links(user, LinkPurpose.INVITATION)
    token = _new_link(user, LinkPurpose.INVITATION)
    audit.record(by, AuditAction.INVITATION_RESENT, user)
    _send_invitation(user, link_url(token), by)  # joins the transaction: sent once it commits
    db.session.commit()


def usable_link(token: str) -> AccountLink | None:
    """The link with this secret while it may still be used (not used, not expired, its account on), else None."""
    link = db.session.execute(sa.select(AccountLink).filter_by(token_hash=hash_token(token))).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def set_password_with_link(token: str, password: str) -> User:
    """Set the account's password through a link, which then stops working; ends the user's sessions; committed.

    Raises LinkRefused for a link that may not be used, AccountError for a password that may not (the link
    then still works, so the person can try another).
    """
    link = usable_link(token)
    if link is None:
        raise LinkRefused
    if problem := password_problem(password):
        raise AccountError(problem)
    # Claimed in SQL, so two uses of one link at the same moment set the password once.
    claimed = db.session.execute(
        sa.update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        db.session.rollback()
        raise LinkRefused
    user = link.user
    user.set_password(password)
    _end_links(user, None)
    end_sessions(user)
    audit.record(user, PASSWORD_SET_BY[link.purpose], user)
    db.session.commit()
    return user


def _new_link(user: User, purpose: LinkPurpose) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(_link(user, purpose, token))
    return token


def _link(user: User, purpose: LinkPurpose, token: str) -> AccountLink:
    now = utcnow()
    return AccountLink(
        user=user, purpose=purpose, token_hash=hash_token(token), created_at=now, expires_at=now + VALID_FOR[purpose]
    )


def _end_links(user: User, purpose: LinkPurpose | None) -> None:
    """Stop the user's unused links (of one purpose, or all) working: only the newest link counts."""
    query = sa.update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
    if purpose is not None:
        query = query.where(AccountLink.purpose == purpose)
    db.session.execute(query.values(used_at=utcnow()).execution_options(synchronize_session=False))


def _scope(user: User) -> dict[str, object]:
    return {
        "role": user.role.value,
        "organisation": user.organisation.code if user.organisation else None,
        "authorities": sorted(a.code for a in user.authorities),
    }


def _unusable_password() -> str:
    """A random password nobody is told: the account cannot be signed in to until its link sets one."""
    return secrets.token_urlsafe(32)


def signs_in_with_password(user: User) -> bool:
    """Whether the account signs in with a password: everyone's does unless PASSWORD_SIGN_IN=0 leaves passwords to
    administrators (single sign-on set up); then the others sign in with the council's provider only."""
    return password_sign_in_for_everyone() or user.role == Role.ADMIN


def _send_invitation(user: User, url: str, by: User) -> None:
    role = user.role.value.replace("_", " ")
    if not signs_in_with_password(user):  # a password they could never use: tell them how they do sign in
        body = _SINGLE_SIGN_ON_INVITATION_BODY.format(
            inviter=by.email, role=role, provider=current_app.config["OIDC_NAME"], url=_sign_in_url(), email=user.email
        )
    else:
        body = _INVITATION_BODY.format(inviter=by.email, role=role, url=url, days=INVITATION_VALID_FOR.days)
    send_email([user.email], "You have been invited to the training service", body)


def _sign_in_url() -> str:
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/sign-in"


_INVITATION_BODY = """\
{inviter} has given you an account on the children's workforce training service, as a {role}.

Set your password within {days} days, using this link (it works once):

{url}

If you were not expecting this email, you can ignore it.
"""

_SINGLE_SIGN_ON_INVITATION_BODY = """\
{inviter} has given you an account on the children's workforce training service, as a {role}.

You sign in with {provider}: there is no password to set. Go to

{url}

and choose "Sign in with {provider}", using {email}.

If you were not expecting this email, you can ignore it.
"""

_SINGLE_SIGN_ON_RESET_BODY = """\
Someone asked to reset the password for this email address on the children's workforce training service.

This service does not use a password for your account: you sign in with {provider}. Go to

{url}

and choose "Sign in with {provider}". If you cannot sign in there, ask your organisation's IT service.
"""

_RESET_BODY = """\
Someone asked to reset the password for this email address on the children's workforce training service.

Use this link within 1 hour to choose a new password (it works once):

{url}

If it was not you, ignore this email: your password has not changed.
"""

_NO_ACCOUNT_BODY = """\
Someone asked to reset the password for this email address on the children's workforce training service,
but there is no account with this address, or its account has been switched off.

If you need an account, ask your training coordinator. If it was not you, ignore this email.
"""
