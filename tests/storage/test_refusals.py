"""A write the database refuses is given up; a database that is down or locked is waited out."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from cc112_pbx.domain.incident_status import IllegalTransition, IncidentStatus
from cc112_pbx.storage.records import RecordNotFound
from cc112_pbx.storage.refusals import refused_by_database


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def wrapped(sqlstate: str) -> DBAPIError:
    """What SQLAlchemy hands over for an asyncpg error it cannot classify (the SQLSTATE is the driver's)."""
    adapter = Exception("adapter")
    adapter.__cause__ = DriverError(sqlstate)
    return DBAPIError("INSERT ...", {}, adapter)


def test_a_value_too_long_or_a_constraint_is_refused_for_good():
    assert refused_by_database(wrapped("22001"))  # string data right truncation (VARCHAR(36))
    assert refused_by_database(wrapped("23505"))  # unique violation
    assert refused_by_database(IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE")))
    assert refused_by_database(RecordNotFound("call x"))
    assert refused_by_database(IllegalTransition(IncidentStatus.NEW, IncidentStatus.DISPATCHED))


def test_a_database_down_or_locked_is_waited_out():
    assert not refused_by_database(wrapped("57P01"))  # admin shutdown
    assert not refused_by_database(wrapped("08006"))  # connection failure
    assert not refused_by_database(OperationalError("INSERT ...", {}, sqlite3.OperationalError("locked")))
    assert not refused_by_database(ConnectionError("refused"))
