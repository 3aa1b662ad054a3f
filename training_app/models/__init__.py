"""The domain model, one module per concept; importing this registers every table."""

from .account_links import AccountLink, LinkPurpose, ResetRequest
from .attendance import AttendanceMark, MarkStatus
from .audit import AuditAction, AuditEvent
from .awareness import AwarenessPresentation, AwarenessSignOff
from .base import utcnow
from .bookings import (
    ACTIVE_STATUSES,
    NEEDS_MAX_LENGTH,
    PLACE_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Charge,
    ChargeReason,
)
from .claims import (
    DEFAULT_RATES_PENCE,
    Claim,
    ClaimCategory,
    ClaimDeadlineExtension,
    ClaimFile,
    ClaimLine,
    ClaimStatus,
    CoverUnit,
    Fund,
    FundContribution,
    RateCard,
)
from .courses import (
    Course,
    CourseKind,
    Pathway,
    PathwayCourse,
    PathwayStatus,
    Requirement,
    ResponsibilityGroup,
    SelfBooking,
    WaitlistOrder,
)
from .evaluation import Evaluation, EvaluationAnswer, EvaluationQuestion, QuestionKind
from .interest import CourseInterest
from .mail import MailStatus, OutgoingMail
from .messages import SessionMessage
from .people import CoverCategory, Practitioner, authority_key_for
from .places import Area, Authority, Organisation, OrganisationKind, Venue
from .records import Certificate, RecordSource, TrainingRecord
from .reminders import ReminderKind, ReminderLog, ReminderStage
from .report_answers import ReportAnswer, ReportGeneration
from .sessions import SessionDay, SessionStatus, Trainer, TrainingSession
from .settings import Setting
from .subscriptions import Frequency, ReportSubscription, SubscribedReport
from .summaries import DashboardSummary
from .targets import Target, target_groups
from .users import ApiToken, Role, SignInFailure, User, hash_token
from .webhooks import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "NEEDS_MAX_LENGTH",
    "CourseInterest",
    "SessionMessage",
    "Evaluation",
    "EvaluationAnswer",
    "EvaluationQuestion",
    "QuestionKind",
    "ResetRequest",
    "Setting",
    "Target",
    "target_groups",
    "AccountLink",
    "ACTIVE_STATUSES",
    "DEFAULT_RATES_PENCE",
    "PLACE_HOLDING_STATUSES",
    "ApiToken",
    "Area",
    "AttendanceMark",
    "AuditAction",
    "AuditEvent",
    "Authority",
    "AwarenessPresentation",
    "AwarenessSignOff",
    "Booking",
    "BookingStatus",
    "Certificate",
    "Charge",
    "ChargeReason",
    "Claim",
    "ClaimCategory",
    "ClaimDeadlineExtension",
    "ClaimFile",
    "ClaimLine",
    "ClaimStatus",
    "Course",
    "CourseKind",
    "CoverCategory",
    "CoverUnit",
    "DashboardSummary",
    "Frequency",
    "ReportSubscription",
    "SubscribedReport",
    "ReportAnswer",
    "ReportGeneration",
    "Fund",
    "FundContribution",
    "LinkPurpose",
    "MailStatus",
    "OutgoingMail",
    "MarkStatus",
    "Organisation",
    "OrganisationKind",
    "Pathway",
    "PathwayCourse",
    "PathwayStatus",
    "WaitlistOrder",
    "Practitioner",
    "RateCard",
    "RecordSource",
    "ReminderKind",
    "ReminderLog",
    "ReminderStage",
    "Requirement",
    "ResponsibilityGroup",
    "Role",
    "SelfBooking",
    "SessionDay",
    "SessionStatus",
    "SignInFailure",
    "Trainer",
    "TrainingRecord",
    "TrainingSession",
    "User",
    "Venue",
    "DeliveryStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "authority_key_for",
    "hash_token",
    "utcnow",
]
