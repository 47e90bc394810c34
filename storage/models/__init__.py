"""All tables. Import every model module here so metadata (and Alembic) sees them."""
from sqlmodel import SQLModel

from storage.models.conversations import ConversationState, ProcessedEvent
from storage.models.events import Event, EventAttendee, EventFeedback, EventRegistration  # noqa: F401  (events)
from storage.models.members import Member, MemberIdentity
from storage.models.links import CallbackValue, LinkCode  # noqa: F401  (channels: linking codes, long button values)
from storage.models.organizations import Organization, OrgKind
from storage.models.outbox import Broadcast, DeliveryBatch, OutboxMessage
from storage.models.reports import Report, ReportActivity, ReportDeadline, ReportPhoto  # noqa: F401  (activity reports)
from storage.models.web_inbox import WebInboxMessage
from storage.models.console import AuditEntry, OfficerLogin  # noqa: F401  (officer web console)

metadata = SQLModel.metadata

__all__ = [
    "ConversationState",
    "Member",
    "MemberIdentity",
    "Organization",
    "OrgKind",
    "OutboxMessage",
    "ProcessedEvent",
    "WebInboxMessage",
    "metadata",
]
