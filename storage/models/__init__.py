"""All tables. Import every model module here so metadata (and Alembic) sees them."""
from sqlmodel import SQLModel

from storage.models.console import AuditEntry, ExportJob, OfficerLogin
from storage.models.conversations import ConversationState, ProcessedEvent
from storage.models.events import Event, EventAttendee, EventFeedback, EventRegistration
from storage.models.links import CallbackValue, LinkCode
from storage.models.members import Member, MemberIdentity
from storage.models.organizations import JoinStatus, Organization, OrgJoinRequest, OrgKind
from storage.models.outbox import Broadcast, DeliveryBatch, LineQuota, OutboxContent, OutboxMessage
from storage.models.reports import Report, ReportActivity, ReportDeadline, ReportPhoto
from storage.models.tickets import ReachStat, Ticket, TicketMessage
from storage.models.training import Certificate, CertificateTemplate, EventNeeds, EventWalkIn
from storage.models.web_inbox import WebInboxMessage

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry", "Broadcast", "Certificate", "CertificateTemplate", "ExportJob", "CallbackValue", "ConversationState",
    "DeliveryBatch", "Event", "EventAttendee", "EventFeedback", "EventNeeds", "EventRegistration", "EventWalkIn", "LineQuota", "LinkCode",
    "Member", "MemberIdentity", "OfficerLogin", "Organization",
    "JoinStatus", "OrgJoinRequest", "OrgKind", "OutboxContent", "OutboxMessage", "ProcessedEvent", "Report", "ReportActivity", "ReportDeadline", "ReportPhoto",
    "ReachStat", "Ticket", "TicketMessage", "WebInboxMessage", "metadata",
]
