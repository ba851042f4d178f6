"""A dispatch's report photo and the per-agency response-time summary (issue 17), beside the
`DispatchService` whose records and checks they share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from cc112_pbx.domain.dispatch import response_times
from cc112_pbx.services.access import STAFF, Principal, Role, require
from cc112_pbx.services.api_errors import FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.dispatch_service import STAGES, DispatchService, as_domain
from cc112_pbx.services.plain import plain_value
from cc112_pbx.services.ports import PhotoStore

log = structlog.get_logger("cc112.dispatch")

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
PHOTO_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class DispatchReports:
    def __init__(self, service: DispatchService, photos: PhotoStore, *, photo_max_bytes: int) -> None:
        self.service = service
        self.store = service.store
        self.directory = service.directory
        self.photos = photos
        self.photo_max_bytes = photo_max_bytes

    # --- the report's photo --------------------------------------------------------------------------
    async def put_photo(self, principal: Principal, dispatch_id: int, content_type: str, data: bytes) -> dict[str, Any]:
        record = await self.service.record_of(dispatch_id)
        self.service.check_read(principal, record)
        if principal.role is Role.CALL_TAKER:
            raise Forbidden("the officer or their agency adds the report's photo",
                            message_id="foto laporan ditambahkan oleh petugas atau instansinya")
        kind = content_type.split(";")[0].strip().lower()
        if kind not in PHOTO_TYPES:
            raise Invalid([FieldProblem("Content-Type", "image/jpeg or image/png")])
        if not data or len(data) > self.photo_max_bytes:
            raise Invalid([FieldProblem("body", f"a photo of 1 to {self.photo_max_bytes} bytes")])
        if not data.startswith(PHOTO_MAGIC[kind]):
            raise Invalid([FieldProblem("body", f"is not a {kind} image")])
        path = await self.photos.save(f"dispatch-{dispatch_id}.{PHOTO_TYPES[kind]}", data)
        record = await self.store.dispatches.update(dispatch_id, str(plain_value(record.status)), {"photo_path": path})
        log.info("dispatch_photo_stored", dispatch_id=dispatch_id, size=len(data), actor=principal.username)
        return await self.service.dispatch_dict(record)

    async def get_photo(self, principal: Principal, dispatch_id: int) -> tuple[bytes, str]:
        record = await self.service.record_of(dispatch_id)
        self.service.check_read(principal, record)
        if not record.photo_path:
            raise NotFound(f"dispatch {dispatch_id} has no photo", message_id="dispatch ini tidak memiliki foto")
        data = await self.photos.read(record.photo_path)
        return data, "image/png" if record.photo_path.endswith(".png") else "image/jpeg"

    # --- figures -------------------------------------------------------------------------------------
    async def summary(self, principal: Principal, start: datetime, end: datetime) -> dict[str, Any]:
        """Per agency code: dispatches created in the window and their average response times."""
        require(principal, STAFF)
        per: dict[str, dict[str, list[float]]] = {}
        counts: dict[str, int] = {}
        for record in await self.store.dispatches.created_between(start, end):
            agency = self.directory.agencies.get(record.agency_id)
            code = agency.code if agency is not None else str(record.agency_id)
            counts[code] = counts.get(code, 0) + 1
            times = response_times(as_domain(record))
            for stage, value in zip(STAGES, (times.accept_s, times.on_scene_s, times.resolved_s), strict=True):
                if value is not None:
                    per.setdefault(code, {}).setdefault(stage, []).append(value)
        return {code: {"dispatches": n, **{f"{stage}_s": (round(sum(v) / len(v), 1) if (v := per.get(code, {})
                                                          .get(stage)) else None) for stage in STAGES}}
                for code, n in sorted(counts.items())}
