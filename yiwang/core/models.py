"""The core's tables: the audit log and the calendar overrides."""

from yiwang.core.audit.models import AuditChainLane, AuditEvent
from yiwang.core.calendar.models import CalendarOverride, CalendarYear, DayKind

__all__ = ["AuditChainLane", "AuditEvent", "CalendarOverride", "CalendarYear", "DayKind"]
