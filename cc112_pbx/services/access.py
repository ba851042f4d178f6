"""Who may do what through the API: roles, the authenticated principal, and the checks.

- call takers act on their own seat and their own calls' incidents;
- supervisors read everything and manage callbacks and recordings;
- admins also change the queue configuration, seats and users.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cc112_pbx.services.api_errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CALL_TAKER = "call_taker"
    AGENCY_DISPATCHER = "agency_dispatcher"  # issue 17: an agency's liaison, bound to one agency
    OFFICER = "officer"  # issue 17: a field officer, bound to one officer record
    QC_EVALUATOR = "qc_evaluator"  # issue 18: scores sampled calls; reads, never changes, the rest

    @classmethod
    def parse(cls, text: str) -> Role:
        """"calltaker" and "call-taker" are accepted for `call_taker`."""
        return cls(text.strip().lower().replace("-", "_").replace("calltaker", "call_taker"))


STAFF = (Role.ADMIN, Role.SUPERVISOR)
ADMIN_ONLY = (Role.ADMIN,)
EVERYONE = (Role.ADMIN, Role.SUPERVISOR, Role.CALL_TAKER)
FIELD_ROLES = (Role.AGENCY_DISPATCHER, Role.OFFICER)  # see only their agency's / their own dispatches


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    role: Role
    seat_id: str | None = None
    agency_id: int | None = None  # an agency dispatcher's agency (or an officer's)
    officer_id: int | None = None  # an officer's own record

    @property
    def is_field(self) -> bool:
        return self.role in FIELD_ROLES

    @property
    def is_call_taker(self) -> bool:
        return self.role is Role.CALL_TAKER

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.user_id, "username": self.username, "role": self.role.value,
                                  "seat": self.seat_id}
        if self.is_field:
            out |= {"agency_id": self.agency_id, "officer_id": self.officer_id}
        return out


def require(principal: Principal, roles: tuple[Role, ...]) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role.value} may not do this",
                        message_id=f"peran {principal.role.value} tidak boleh melakukan ini")


def require_own_seat(principal: Principal, seat_id: str) -> None:
    """Staff act on any seat; a call taker only on their own."""
    if principal.is_call_taker and principal.seat_id != seat_id:
        raise Forbidden(f"a call taker acts on their own seat only (yours: {principal.seat_id})",
                        message_id="petugas hanya boleh mengubah mejanya sendiri")


def seat_scope(principal: Principal) -> str | None:
    """The seat a listing is limited to: a call taker's own (or an impossible one), staff: none."""
    if principal.is_call_taker:
        return principal.seat_id or "\x00no-seat"
    return None
