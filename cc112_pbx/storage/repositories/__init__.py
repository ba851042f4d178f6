"""Repositories: the only code that holds a database session. Each method is one transaction
and returns frozen records (`cc112_pbx.storage.records`), never ORM objects."""

from cc112_pbx.storage.repositories.admin import AuditRepository, QueueConfigRepository
from cc112_pbx.storage.repositories.api_users import ApiUserRepository, DuplicateUser
from cc112_pbx.storage.repositories.callbacks import CallbackRepository
from cc112_pbx.storage.repositories.incidents import CallRepository, IncidentRepository, RecordingRepository
from cc112_pbx.storage.repositories.seats import SeatDefinition, SeatRepository

__all__ = [
    "ApiUserRepository",
    "AuditRepository",
    "CallRepository",
    "CallbackRepository",
    "DuplicateUser",
    "IncidentRepository",
    "QueueConfigRepository",
    "RecordingRepository",
    "SeatDefinition",
    "SeatRepository",
]
