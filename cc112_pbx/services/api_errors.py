"""The API services' refusals, as exceptions the HTTP layer turns into status codes (statuses live
only in `cc112_pbx.http.errors`). Each carries an English message and, where cheap, Indonesian."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, *, message_id: str | None = None,
                 fields: list[FieldProblem] | tuple[FieldProblem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.message_id = message_id
        self.fields = tuple(fields)


class Unauthenticated(ServiceError):
    code = "unauthenticated"


class Forbidden(ServiceError):
    code = "forbidden"


class NotFound(ServiceError):
    code = "not_found"


class Conflict(ServiceError):
    code = "conflict"


class Invalid(ServiceError):
    """Refused input: `fields` names every problem at once."""

    code = "invalid"

    def __init__(self, fields: list[FieldProblem], message: str = "the request has invalid fields", *,
                 message_id: str | None = "permintaan berisi isian yang tidak valid") -> None:
        super().__init__(message, message_id=message_id, fields=fields)


class TooManyAttempts(ServiceError):
    code = "too_many_attempts"

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed logins; try again later",
                         message_id="terlalu banyak percobaan masuk yang gagal; coba lagi nanti")
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The database (or Asterisk) cannot answer right now."""

    code = "unavailable"


class NotLeader(Unavailable):
    """A write reached a controller that does not lead its active/standby pair (issue 21): the
    standby, or a former leader whose fencing epoch is no longer the database's. `leader` is the
    leading controller's API URL when known (the client retries there)."""

    code = "not_leader"

    def __init__(self, leader: str | None = None, detail: str = "") -> None:
        where = f"; the leader is {leader}" if leader else ""
        di = f"; pemimpin: {leader}" if leader else ""
        super().__init__(f"this controller is not the leader: writes are refused{where}{detail}",
                         message_id=f"pengendali ini bukan pemimpin: penulisan ditolak{di}")
        self.leader = leader
