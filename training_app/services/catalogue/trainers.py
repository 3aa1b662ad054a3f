"""Trainers (SPEC 3.3): the people who teach sessions, each of whom may be a user (a coordinator can be one)."""

from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Trainer, User
from ...validation import control_character_problem, email_problem
from ..accounts import audit
from ..accounts.scope import is_staff
from ..common.unique_keys import refused_if_taken
from ..sessions.sessions import SessionProblem


class TrainerRefused(ValueError):
    """The trainer cannot be added; every problem is listed by field and nothing was saved."""

    def __init__(self, problems: list[SessionProblem]) -> None:
        super().__init__("; ".join(f"{problem.field}: {problem.message}" for problem in problems))
        self.problems = problems


def add_trainer(name: str, email: str, by: User | str) -> Trainer:
    """Add a trainer; one whose email is a user's is linked to that account, so they can open their own feed."""
    name, email = name.strip(), email.strip().lower()
    problems = []
    if not name:
        problems.append(SessionProblem("name", "enter the trainer's name"))
    elif len(name) > 200:
        problems.append(SessionProblem("name", "the name must be 200 characters or fewer"))
    elif problem := control_character_problem(name):
        problems.append(SessionProblem("name", f"the name {problem}"))
    if not email:
        problems.append(SessionProblem("email", "enter the trainer's email address"))
    elif len(email) > 254 or email_problem(email):
        problems.append(SessionProblem("email", "enter an email address like name@example.org"))
    elif db.session.scalar(sa.select(sa.exists().where(Trainer.email == email))):
        problems.append(_email_taken(email))
    if problems:
        raise TrainerRefused(problems)
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    trainer = Trainer(name=name, email=email, user_id=user.id if user is not None else None)
    db.session.add(trainer)
    with refused_if_taken({"uq_trainers_email": lambda: TrainerRefused([_email_taken(email)])}):
        db.session.flush()
        audit.record(
            by, AuditAction.TRAINER_ADDED, trainer, None, {"name": name, "email": email, "user": user is not None}
        )
        db.session.commit()
    return trainer


def _email_taken(email: str) -> SessionProblem:
    return SessionProblem("email", f"a trainer already has the email address {email}")


def trainer_of(user: User) -> Trainer | None:
    """The trainer record of a user, when they teach."""
    return db.session.scalar(sa.select(Trainer).where(Trainer.user_id == user.id))


def may_manage_feed(user: User, trainer: Trainer) -> bool:
    """Coordinators and admins manage any trainer's feed; a trainer their own."""
    return is_staff(user) or trainer.user_id == user.id


def all_trainers() -> list[Trainer]:
    """Every trainer, by name."""
    return list(db.session.scalars(sa.select(Trainer).order_by(Trainer.name)))
