"""Repositories: the only code that holds a database session. Each method is one transaction
and returns frozen records (`cc112_pbx.storage.records`), never ORM objects."""

from cc112_pbx.storage.repositories.admin import AuditRepository, QueueConfigRepository
from cc112_pbx.storage.repositories.aml import AmlPositionRepository
from cc112_pbx.storage.repositories.api_users import ApiUserRepository, DuplicateUser
from cc112_pbx.storage.repositories.callbacks import CallbackRepository
from cc112_pbx.storage.repositories.calls import CallRepository, RecordingRepository
from cc112_pbx.storage.repositories.dispatch import (
    AgencyRepository,
    DispatchRepository,
    OfficerRepository,
    PositionRepository,
)
from cc112_pbx.storage.repositories.incidents import IncidentRepository
from cc112_pbx.storage.repositories.seats import SeatDefinition, SeatRepository
from cc112_pbx.storage.repositories.timeline import TimelineRepository

__all__ = [
    "AgencyRepository",
    "AmlPositionRepository",
    "ApiUserRepository",
    "AuditRepository",
    "CallRepository",
    "CallbackRepository",
    "DispatchRepository",
    "DuplicateUser",
    "IncidentRepository",
    "OfficerRepository",
    "PositionRepository",
    "QueueConfigRepository",
    "RecordingRepository",
    "SeatDefinition",
    "SeatRepository",
    "TimelineRepository",
]
