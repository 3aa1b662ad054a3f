"""The audit trail of every state change: who, when, what, old and new value."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, utcnow


class AuditAction(StrEnum):
    """What an audit event records, in one style (noun_verb in the past tense); each action's values keep one shape."""

    API_TOKEN_ISSUED = "api_token_issued"  # noqa: S105 (an action\'s name, not a secret)
    API_TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 (an action\'s name, not a secret)
    ATTENDANCE_MARK_CLEARED = "attendance_mark_cleared"
    ATTENDANCE_MARKED = "attendance_marked"
    AWARENESS_EVIDENCE_ATTACHED = "awareness_evidence_attached"
    AWARENESS_ONLY_SET = "awareness_only_set"
    AWARENESS_PRESENTATION_RECORDED = "awareness_presentation_recorded"
    AWARENESS_SIGN_OFF_CHANGED = "awareness_sign_off_changed"
    AWARENESS_SIGN_OFF_RECORDED = "awareness_sign_off_recorded"
    BOOKING_APPROVED = "booking_approved"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_DECLINED = "booking_declined"
    BOOKING_MADE = "booking_made"
    BOOKING_NEEDS_CHANGED = "booking_needs_changed"
    BOOKING_NEEDS_ERASED = "booking_needs_erased"
    BOOKING_OFFER_ACCEPTED = "booking_offer_accepted"
    BOOKING_OFFER_DECLINED = "booking_offer_declined"
    BOOKING_OFFER_LAPSED = "booking_offer_lapsed"
    BOOKING_OFFERED = "booking_offered"
    BOOKING_PROMOTED = "booking_promoted"
    BOOKING_REQUESTED = "booking_requested"
    BOOKING_STATUS_FROM_REGISTER = "booking_status_from_register"
    BOOKING_SUBSTITUTED = "booking_substituted"
    BOOKING_TRANSFERRED = "booking_transferred"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CHARGE_WAIVED = "charge_waived"
    CHARGE_WITHDRAWN = "charge_withdrawn"
    CLAIM_APPROVED = "claim_approved"
    CLAIM_CREATED = "claim_created"
    CLAIM_DEADLINE_EXTENDED = "claim_deadline_extended"
    CLAIM_DEADLINE_EXTENSION_CHANGED = "claim_deadline_extension_changed"
    CLAIM_EVIDENCE_ADDED = "claim_evidence_added"
    CLAIM_PAID = "claim_paid"
    CLAIM_REJECTED = "claim_rejected"
    CLAIM_SUBMITTED = "claim_submitted"
    COURSE_CHANGED = "course_changed"
    COURSE_CREATED = "course_created"
    COURSE_REINSTATED = "course_reinstated"
    COURSE_RETIRED = "course_retired"
    EVALUATION_FORM_CHANGED = "evaluation_form_changed"
    EVALUATION_GIVEN = "evaluation_given"
    FUND_CHANGED = "fund_changed"
    FUND_CREATED = "fund_created"
    IMPORT = "import"
    INTEREST_REGISTERED = "interest_registered"
    INTEREST_WITHDRAWN = "interest_withdrawn"
    INVITATION_RESENT = "invitation_resent"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action\'s name, not a secret)
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an action\'s name, not a secret)
    PASSWORD_SET_BY_INVITATION = "password_set_by_invitation"  # noqa: S105 (an action\'s name, not a secret)
    PASSWORD_SET_BY_PASSWORD_RESET = "password_set_by_password_reset"  # noqa: S105 (an action\'s name, not a secret)
    PATHWAY_CHANGED = "pathway_changed"
    PRACTITIONER_ANONYMISED = "practitioner_anonymised"
    PRACTITIONER_CREATED = "practitioner_created"
    PRACTITIONER_DATES_CHANGED = "practitioner_dates_changed"
    PRACTITIONER_LEFT = "practitioner_left"
    PRACTITIONER_RETURNED = "practitioner_returned"
    PRACTITIONERS_MERGED = "practitioners_merged"
    REPORT_SUBSCRIPTION_CHANGED = "report_subscription_changed"
    REPORT_SUBSCRIPTION_ENDED = "report_subscription_ended"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_CHANGED = "session_changed"
    SESSION_CREATED = "session_created"
    SESSION_MESSAGE_SENT = "session_message_sent"
    SETTING_CHANGED = "setting_changed"
    SIGN_IN = "sign_in"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGN_OUT = "sign_out"
    TARGET_CHANGED = "target_changed"
    TARGET_SET = "target_set"
    TRAINER_ADDED = "trainer_added"
    TRAINER_FEED_ISSUED = "trainer_feed_issued"
    TRAINER_FEED_REVOKED = "trainer_feed_revoked"
    TRAINING_RECORD_SOURCE_NOTED = "training_record_source_noted"
    TRAINING_RECORD_UNLINKED = "training_record_unlinked"
    TRAINING_RECORD_WITHDRAWN = "training_record_withdrawn"
    TRAINING_RECORDS_REDATED = "training_records_redated"
    USER_ACCESS_CHANGED = "user_access_changed"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    USER_INVITED = "user_invited"
    USER_REACTIVATED = "user_reactivated"
    VENUE_CHANGED = "venue_changed"
    VENUE_CREATED = "venue_created"
    WAITLIST_MOVED = "waitlist_moved"
    WALK_IN_ADDED = "walk_in_added"
    WEBHOOK_DELETED = "webhook_deleted"
    WEBHOOK_DELIVERY_REQUEUED = "webhook_delivery_requeued"
    WEBHOOK_PAUSED = "webhook_paused"
    WEBHOOK_REGISTERED = "webhook_registered"
    WEBHOOK_RESUMED = "webhook_resumed"


class AuditEvent(Model):
    """One recorded change."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254), default="system")
    action: Mapped[str] = mapped_column(sa.String(80))
    entity_type: Mapped[str] = mapped_column(sa.String(60))
    entity_id: Mapped[int | None]
    old_value: Mapped[Any | None] = mapped_column(sa.JSON)
    new_value: Mapped[Any | None] = mapped_column(sa.JSON)
