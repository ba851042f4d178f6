"""Which database errors retrying cannot fix: the write itself is wrong (a constraint, a value too
long, a statement the schema does not know), unlike a database that is down or locked, which the
write-behind journal waits out. A refused write is given up after a few tries and logged with its
details, so that one bad write never holds back every later one."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError

from cc112_pbx.services.api_errors import NotLeader
from cc112_pbx.storage.records import RecordNotFound

# SQLSTATE classes (SQL standard, PostgreSQL): 22 data exception, 23 integrity constraint
# violation, 42 syntax error or access rule violation
_REFUSED_CLASSES = ("22", "23", "42")


def refused_by_database(exc: BaseException) -> bool:
    # ValueError: a write the domain refuses (an illegal transition, a callback already closed);
    # NotLeader: a former leader's write, refused by the fence (issue 21): retrying cannot help
    if isinstance(exc, NotLeader):
        return True
    if isinstance(exc, IntegrityError | DataError | ProgrammingError | RecordNotFound | ValueError):
        return True
    if isinstance(exc, DBAPIError):  # a driver's error SQLAlchemy could not classify: its SQLSTATE can
        return _sqlstate(exc).startswith(_REFUSED_CLASSES)
    return False


def _sqlstate(exc: DBAPIError) -> str:
    cause: BaseException | None = exc.orig
    for _ in range(4):  # the adapter's error, then the driver's own
        if cause is None:
            break
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(state, str):
            return state
        cause = cause.__cause__
    return ""
