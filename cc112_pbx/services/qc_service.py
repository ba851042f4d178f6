"""Quality control (issue 18) through the API, the command line and the controller's weekly timer.

- The rubric is versioned like the queue configuration: admins save a new version (audited); with
  none stored, the 14 default elements become version 1 (author "default"). An evaluation keeps the
  rubric version it was scored with.
- `sample_week(week)` draws the week's samples once (idempotent: a week drawn already comes back as
  it was, `created` False), with a stored seed; calls taken at a QC evaluator's own seat are never
  drawn; the shortfall per call taker (seat) is reported. `swap` replaces a sample, with a reason,
  by the next call of the same seeded order.
- Evaluations are append-only: `evaluate` stores version 1, `correct` the next version (audited);
  nothing ever edits one. Call takers see their own seat's evaluations only (403 otherwise) and
  acknowledge or dispute them.
- `report(weeks)`: compliance per call taker and per element, the trend per week, the elements most
  often missed (`cc112_pbx.domain.qc.build_report`).

A call taker is identified by the seat the call was answered at (calls carry the seat, API users
of role call_taker have one): the same rule as the rest of the API.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from cc112_pbx.domain import qc
from cc112_pbx.services.access import ADMIN_ONLY, Principal, Role, require
from cc112_pbx.services.api_errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import AuditStore, Clock, QcDataStore

log = structlog.get_logger("cc112.qc")

DEFAULT_AUTHOR = "default"
EVALUATORS = (Role.QC_EVALUATOR, Role.ADMIN)  # who scores and swaps
QC_READERS = (Role.QC_EVALUATOR, Role.ADMIN, Role.SUPERVISOR)  # who sees every sample, evaluation, report
RESPONSES = ("acknowledged", "disputed")
MAX_RANGE_WEEKS = 53


@dataclass(frozen=True, slots=True)
class QcPolicy:
    time_zone: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    per_taker: int = 2
    min_talk_s: float = 30.0
    answer_target_s: float = 10.0
    new_seed: Callable[[], int] = lambda: secrets.randbits(48)

    @classmethod
    def of(cls, time_zone: str, per_taker: int, min_talk_s: float, answer_target_s: float) -> QcPolicy:
        return cls(ZoneInfo(time_zone), per_taker, float(min_talk_s), float(answer_target_s))


def _problems(pairs: Sequence[tuple[str, str]]) -> list[FieldProblem]:
    return [FieldProblem(name, message) for name, message in pairs]


def parse_week(text: object, name: str = "week") -> qc.Week:
    try:
        return qc.Week.parse(str(text))
    except ValueError as exc:
        raise Invalid([FieldProblem(name, str(exc))], "invalid week; use YYYY-Www (ISO 8601)",
                      message_id="minggu tidak valid; gunakan YYYY-Www (ISO 8601)") from None


def _is_dispatch(entry: Any) -> bool:
    """A timeline entry issue 17's dispatch writes: the incident's status moved to dispatched, or a
    dispatch note (`details.event == "dispatch"`)."""
    kind = str(entry.kind)
    return ((kind == "status_changed" and entry.details.get("new") == "dispatched")
            or (kind == "note" and entry.details.get("event") == "dispatch"))


def signals(call: Any, timeline: Sequence[Any], answer_target_s: float) -> dict[str, Any]:
    """The automatic signals beside the human score, from the data: answer time (arrival to the
    seat's answer), hold time (arrival to the first offer: waiting for a free seat), ring time,
    talk time, and time to dispatch (arrival to the first dispatch entry of the incident's timeline;
    None when the incident was never dispatched or no dispatch data exists)."""
    def seconds(a: datetime | None, b: datetime | None) -> float | None:
        return round((b - a).total_seconds(), 3) if a is not None and b is not None else None

    arrived, connected = call.arrived_at, call.connected_at
    offered = min((e.at for e in timeline if str(e.kind) == "offered_to_seat" and e.call_id == call.id),
                  default=None)
    dispatched = min((e.at for e in timeline if e.at >= arrived and _is_dispatch(e)), default=None)
    answer = seconds(arrived, connected)
    return {
        "answer_s": answer,
        "answer_target_s": answer_target_s,
        "answered_within_target": answer <= answer_target_s if answer is not None else None,
        "hold_s": seconds(arrived, offered) if offered is not None and (connected is None or offered <= connected)
        else None,
        "ring_s": seconds(offered, connected) if offered is not None else None,
        "talk_s": seconds(connected, call.ended_at),
        "dispatch_s": seconds(arrived, dispatched),
    }


class QcService:
    def __init__(self, store: QcDataStore, audit: AuditStore, clock: Clock, policy: QcPolicy) -> None:
        self.store = store
        self.qc = store.qc
        self.audit = audit
        self.clock = clock
        self.policy = policy
        self._draw_lock = asyncio.Lock()

    # --- the rubric ------------------------------------------------------------------------------
    async def rubric_version(self, version: int | None = None) -> Any:
        """The version asked for, or the current one (the default stored as version 1 when none is)."""
        if version is not None:
            found = await self.qc.rubric(version)
            if found is None:
                raise NotFound(f"rubric version {version} does not exist",
                               message_id=f"versi rubrik {version} tidak ada")
            return found
        current = await self.qc.current_rubric()
        if current is None:
            current = await self.qc.save_rubric([e.to_dict() for e in qc.DEFAULT_RUBRIC], DEFAULT_AUTHOR,
                                                self.clock.wall())
        return current

    async def rubric(self, principal: Principal) -> dict[str, Any]:
        return _rubric_dict(await self.rubric_version())

    async def rubric_history(self, principal: Principal) -> list[dict[str, Any]]:
        require(principal, QC_READERS)
        await self.rubric_version()
        return [_rubric_dict(v) for v in await self.qc.rubric_history()]

    async def change_rubric(self, principal: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, ADMIN_ONLY)
        items = body.get("elements") if isinstance(body, Mapping) else None
        elements, problems = qc.parse_rubric(items)
        if problems:
            raise Invalid(_problems(problems), "invalid rubric; nothing was changed",
                          message_id="rubrik tidak valid; tidak ada yang diubah")
        old = await self.rubric_version()
        at = self.clock.wall()
        version = await self.qc.save_rubric([e.to_dict() for e in elements], principal.username, at)
        before = {e["key"] for e in old.elements}
        after = {e.key for e in elements}
        await self.audit.record(principal.username, "qc.rubric_saved", {
            "version": version.version, "added": sorted(after - before), "removed": sorted(before - after)}, at=at)
        log.info("qc_rubric_saved", version=version.version, author=principal.username, elements=len(elements))
        return _rubric_dict(version)

    # --- sampling --------------------------------------------------------------------------------
    async def evaluator_seats(self) -> set[str]:
        return {u.seat_id for u in await self.store.api_users.all()
                if str(u.role) == Role.QC_EVALUATOR and u.seat_id}

    async def _eligible(self, week: qc.Week, min_talk_s: float) -> tuple[list[qc.Candidate], set[str]]:
        start, end = week.bounds(self.policy.time_zone)
        rows = await self.qc.candidate_calls(start, end)
        excluded = await self.evaluator_seats()
        candidates = [qc.Candidate(r.call_id, r.seat_id, r.recording_id, (r.ended_at - r.connected_at).total_seconds())
                      for r in rows]
        return qc.eligible(candidates, min_talk_s=min_talk_s, exclude_seats=excluded), excluded

    async def sample_week(self, week: qc.Week, *, actor: str, seed: int | None = None) -> dict[str, Any]:
        """Draw the week's samples once; a week drawn already is returned as it was (`created` False)."""
        async with self._draw_lock:
            existing = await self.qc.run_for_week(str(week))
            if existing is not None:
                return await self._run_dict(existing, created=False)
            seed = self.policy.new_seed() if seed is None else seed
            eligible, excluded = await self._eligible(week, self.policy.min_talk_s)
            draw = qc.draw_samples(eligible, seed, per_taker=self.policy.per_taker)
            report = {"available": draw.available, "shortfall": draw.shortfall, "excluded_seats": sorted(excluded),
                      "time_zone": str(self.policy.time_zone)}
            picks = [(c.seat_id, c.call_id, c.recording_id) for drawn in draw.samples.values() for c in drawn]
            at = self.clock.wall()
            try:
                run, _ = await self.qc.store_run(week=str(week), seed=seed, per_taker=self.policy.per_taker,
                                                 min_talk_s=self.policy.min_talk_s, drawn_at=at, drawn_by=actor,
                                                 report=report, samples=picks)
            except Exception:
                existing = await self.qc.run_for_week(str(week))  # another process drew it first
                if existing is None:
                    raise
                return await self._run_dict(existing, created=False)
        await self.audit.record(actor, "qc.sampled", {"week": str(week), "seed": seed, "samples": len(picks),
                                                      "shortfall": draw.shortfall}, at=at)
        log.info("qc_sampled", week=str(week), seed=seed, samples=len(picks), takers=len(draw.samples),
                 shortfall=len(draw.shortfall))
        return await self._run_dict(run, created=True)

    async def draw(self, principal: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, EVALUATORS)
        body = body if isinstance(body, Mapping) else {}
        problems: list[FieldProblem] = []
        week = self.last_finished_week()
        if body.get("week") is not None:
            week = parse_week(body["week"])
        seed = body.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**62):
            problems.append(FieldProblem("seed", "must be a whole number from 0 to 2^62"))
        if problems:
            raise Invalid(problems)
        return await self.sample_week(week, actor=principal.username, seed=seed)

    def last_finished_week(self, grace: timedelta = timedelta(0)) -> qc.Week:
        """The week before this one; with `grace`, as it was `grace` ago (calls of the week's last
        minutes have ended and been written before the timer draws it)."""
        return qc.Week.containing(self.clock.wall() - grace, self.policy.time_zone).previous()

    async def _run_dict(self, run: Any, *, created: bool) -> dict[str, Any]:
        samples = await self.qc.samples(week=run.week)
        return {"week": run.week, "created": created, "seed": run.seed, "per_taker": run.per_taker,
                "min_talk_s": run.min_talk_s, "drawn_at": run.drawn_at.isoformat(), "drawn_by": run.drawn_by,
                "available": run.report.get("available", {}), "shortfall": run.report.get("shortfall", {}),
                "excluded_seats": run.report.get("excluded_seats", []),
                "samples": [await self._sample_summary(s) for s in samples]}

    async def _sample_summary(self, sample: Any) -> dict[str, Any]:
        evaluations = await self.qc.evaluations_of_sample(sample.id)
        current = evaluations[-1] if evaluations else None
        return {**plain(sample), "audio_url": f"/api/recordings/{sample.recording_id}/audio"
                if sample.recording_id else None,
                "evaluated": current is not None, "evaluation_id": current.id if current else None,
                "compliance": current.compliance if current else None}

    async def samples(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        require(principal, QC_READERS)
        week = parse_week(query["week"]) if query.get("week") else self.last_finished_week()
        run = await self.qc.run_for_week(str(week))
        if run is None:
            return {"week": str(week), "drawn": False, "samples": [], "shortfall": {}, "available": {}}
        return {**await self._run_dict(run, created=False), "drawn": True}

    async def _sample(self, sample_id: int) -> Any:
        sample = await self.qc.sample(sample_id)
        if sample is None:
            raise NotFound(f"QC sample {sample_id} not found", message_id=f"sampel QC {sample_id} tidak ada")
        return sample

    async def sample_detail(self, principal: Principal, sample_id: int) -> dict[str, Any]:
        """What the evaluator needs beside the recording: the call, its incident and timeline, the
        signals, the evaluations so far and the rubric to score with."""
        require(principal, QC_READERS)
        sample = await self._sample(sample_id)
        call = await self.store.calls.get(sample.call_id)
        incident = timeline = None
        if call is not None and call.incident_id is not None:
            incident = await self.store.incidents.get(call.incident_id)
            timeline = await self.store.timeline.for_incident(call.incident_id)
        rubric = await self.rubric_version()
        evaluations = await self.qc.evaluations_of_sample(sample_id)
        return {"sample": await self._sample_summary(sample), "call": plain(call) if call else None,
                "incident": plain(incident) if incident else None,
                "timeline": [plain(e) for e in timeline or ()],
                "signals": signals(call, timeline or (), self.policy.answer_target_s) if call else None,
                "evaluations": [await self._evaluation_dict(e) for e in evaluations],
                "rubric": _rubric_dict(rubric)}

    async def swap(self, principal: Principal, sample_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, EVALUATORS)
        reason = body.get("reason") if isinstance(body, Mapping) else None
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise Invalid([FieldProblem("reason", "a reason of 1-500 characters is required")],
                          "a swap needs a reason", message_id="penggantian sampel memerlukan alasan")
        sample = await self._sample(sample_id)
        if sample.status == "swapped":
            raise Conflict(f"sample {sample_id} was swapped already", message_id="sampel sudah diganti")
        if await self.qc.evaluations_of_sample(sample_id):
            raise Conflict(f"sample {sample_id} is evaluated; it cannot be swapped",
                           message_id="sampel sudah dinilai; tidak dapat diganti")
        run = await self.qc.run_for_week(sample.week)
        assert run is not None
        eligible, _ = await self._eligible(qc.Week.parse(sample.week), run.min_talk_s)
        used = [s.call_id for s in await self.qc.samples(week=sample.week, seat_id=sample.seat_id)]
        pick = qc.next_replacement(eligible, run.seed, sample.seat_id, used)
        at = self.clock.wall()
        old, new = await self.qc.swap_sample(sample_id, reason=reason.strip(), actor=principal.username, at=at,
                                             replacement=(pick.call_id, pick.recording_id) if pick else None)
        await self.audit.record(principal.username, "qc.sample_swapped", {
            "sample_id": sample_id, "week": sample.week, "seat_id": sample.seat_id, "reason": reason.strip(),
            "replacement_id": new.id if new else None}, at=at)
        return {"swapped": await self._sample_summary(old),
                "replacement": await self._sample_summary(new) if new else None,
                "shortfall": new is None}

    # --- evaluations -----------------------------------------------------------------------------
    async def _score(self, principal: Principal, sample: Any, body: Mapping[str, Any], *, version: int,
                     supersedes: Any | None) -> Any:
        if principal.seat_id and principal.seat_id == sample.seat_id:
            raise Forbidden("an evaluator does not score a call they took themselves",
                            message_id="penilai tidak menilai panggilan yang ditanganinya sendiri")
        if not isinstance(body, Mapping):
            raise Invalid([FieldProblem("body", "a JSON object with scores and comment")])
        rubric = await self.rubric_version()
        elements = qc.rubric_from_stored(rubric.elements)
        scores, pairs = qc.check_scores(elements, body.get("scores"))
        comment = body.get("comment", "") or ""
        if not isinstance(comment, str) or len(comment) > 4000:
            pairs.append(("comment", "must be a text of at most 4000 characters"))
        if pairs:
            raise Invalid(_problems(pairs), "invalid evaluation; nothing was stored",
                          message_id="penilaian tidak valid; tidak ada yang disimpan")
        result = qc.compliance(elements, {k: s for k, (s, _) in scores.items()})
        call = await self.store.calls.get(sample.call_id)
        timeline = await self.store.timeline.for_incident(call.incident_id) if call and call.incident_id else ()
        try:
            return await self.qc.add_evaluation(
                sample_id=sample.id, version=version, supersedes_id=supersedes.id if supersedes else None,
                rubric_version=rubric.version, week=sample.week, seat_id=sample.seat_id,
                evaluator=principal.username,
                scores={k: {"score": s.value, "comment": c} for k, (s, c) in scores.items()}, comment=comment,
                earned=result.earned, possible=result.possible,
                compliance=round(result.ratio, 6) if result.ratio is not None else None,
                signals=signals(call, timeline, self.policy.answer_target_s) if call else {},
                submitted_at=self.clock.wall())
        except Exception:
            if any(e.version == version for e in await self.qc.evaluations_of_sample(sample.id)):
                raise Conflict("someone else stored this evaluation first; reload it",
                               message_id="penilaian ini sudah disimpan orang lain; muat ulang") from None
            raise

    async def evaluate(self, principal: Principal, sample_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        require(principal, EVALUATORS)
        sample = await self._sample(sample_id)
        if sample.status == "swapped":
            raise Conflict(f"sample {sample_id} was swapped; score its replacement",
                           message_id="sampel sudah diganti; nilai penggantinya")
        if await self.qc.evaluations_of_sample(sample_id):
            raise Conflict(f"sample {sample_id} is evaluated already; a change is a correction "
                           f"(POST /api/qc/evaluations/ID/corrections)",
                           message_id="sampel sudah dinilai; perubahan dilakukan sebagai koreksi")
        evaluation = await self._score(principal, sample, body, version=1, supersedes=None)
        await self.audit.record(principal.username, "qc.evaluation_submitted", {
            "evaluation_id": evaluation.id, "sample_id": sample_id, "seat_id": sample.seat_id,
            "compliance": evaluation.compliance, "rubric_version": evaluation.rubric_version},
            at=evaluation.submitted_at)
        log.info("qc_evaluation_submitted", evaluation_id=evaluation.id, sample_id=sample_id,
                 evaluator=principal.username)
        return await self._evaluation_dict(evaluation)

    async def correct(self, principal: Principal, evaluation_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """A correction: the next version of the sample's evaluation; the old one stays as it was."""
        require(principal, EVALUATORS)
        old = await self._evaluation(evaluation_id)
        reason = body.get("reason") if isinstance(body, Mapping) else None
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise Invalid([FieldProblem("reason", "a reason of 1-500 characters is required")],
                          "a correction needs a reason", message_id="koreksi memerlukan alasan")
        versions = await self.qc.evaluations_of_sample(old.sample_id)
        if versions[-1].id != old.id:
            raise Conflict(f"evaluation {evaluation_id} was superseded by version {versions[-1].version}; "
                           f"correct that one", message_id="penilaian ini sudah digantikan versi yang lebih baru")
        sample = await self._sample(old.sample_id)
        new = await self._score(principal, sample, body, version=old.version + 1, supersedes=old)
        changed = sorted(k for k in set(old.scores) | set(new.scores) if old.scores.get(k) != new.scores.get(k))
        await self.audit.record(principal.username, "qc.evaluation_corrected", {
            "evaluation_id": new.id, "supersedes_id": old.id, "version": new.version, "reason": reason.strip(),
            "changed": changed, "compliance": {"from": old.compliance, "to": new.compliance}}, at=new.submitted_at)
        return await self._evaluation_dict(new)

    async def _evaluation(self, evaluation_id: int) -> Any:
        evaluation = await self.qc.evaluation(evaluation_id)
        if evaluation is None:
            raise NotFound(f"evaluation {evaluation_id} not found", message_id=f"penilaian {evaluation_id} tidak ada")
        return evaluation

    def _check_sees(self, principal: Principal, seat_id: str) -> None:
        if principal.role in QC_READERS:
            return
        if principal.is_call_taker and principal.seat_id and principal.seat_id == seat_id:
            return
        raise Forbidden("a call taker sees only their own evaluations",
                        message_id="petugas hanya melihat penilaiannya sendiri")

    async def _evaluation_dict(self, evaluation: Any) -> dict[str, Any]:
        versions = await self.qc.evaluations_of_sample(evaluation.sample_id)
        responses = await self.qc.responses([evaluation.id])
        return {**plain(evaluation), "current": versions[-1].id == evaluation.id,
                "superseded_by": next((v.id for v in versions if v.supersedes_id == evaluation.id), None),
                "responses": [plain(r) for r in responses]}

    async def evaluation(self, principal: Principal, evaluation_id: int) -> dict[str, Any]:
        evaluation = await self._evaluation(evaluation_id)
        self._check_sees(principal, evaluation.seat_id)
        rubric = await self.rubric_version(evaluation.rubric_version)
        return {**await self._evaluation_dict(evaluation), "rubric": _rubric_dict(rubric)}

    async def evaluations(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """Current evaluations (newest version of each sample); a call taker: their own seat's only."""
        seat = query.get("seat") or None
        if principal.role not in QC_READERS:
            if not principal.is_call_taker or not principal.seat_id:
                raise Forbidden(f"role {principal.role.value} has no evaluations",
                                message_id=f"peran {principal.role.value} tidak memiliki penilaian")
            if seat not in (None, principal.seat_id):
                self._check_sees(principal, seat)
            seat = principal.seat_id
        weeks = [str(parse_week(query["week"]))] if query.get("week") else None
        rows = await self.qc.evaluations(weeks=weeks, seat_id=seat)
        return [await self._evaluation_dict(e) for e in rows]

    async def respond(self, principal: Principal, evaluation_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        evaluation = await self._evaluation(evaluation_id)
        if not (principal.is_call_taker and principal.seat_id == evaluation.seat_id):
            raise Forbidden("only the call taker evaluated answers an evaluation",
                            message_id="hanya petugas yang dinilai yang dapat menanggapi penilaian")
        body = body if isinstance(body, Mapping) else {}
        kind, comment = body.get("kind"), body.get("comment", "") or ""
        problems = []
        if kind not in RESPONSES:
            problems.append(FieldProblem("kind", "must be acknowledged or disputed"))
        if not isinstance(comment, str) or len(comment) > 2000:
            problems.append(FieldProblem("comment", "must be a text of at most 2000 characters"))
        elif kind == "disputed" and not comment.strip():
            problems.append(FieldProblem("comment", "a dispute needs a comment saying why"))
        if problems:
            raise Invalid(problems, message_id="tanggapan tidak valid")
        at = self.clock.wall()
        await self.qc.add_response(evaluation_id, kind=kind, comment=comment.strip(), author=principal.username, at=at)
        await self.audit.record(principal.username, f"qc.evaluation_{kind}", {
            "evaluation_id": evaluation_id, "comment": comment.strip()}, at=at)
        return await self._evaluation_dict(evaluation)

    # --- reports ---------------------------------------------------------------------------------
    def weeks_of(self, query: Mapping[str, str]) -> list[qc.Week]:
        if query.get("from") or query.get("to"):
            first = parse_week(query.get("from") or query.get("to"), "from")
            last = parse_week(query.get("to") or query.get("from"), "to")
            if last < first:
                raise Invalid([FieldProblem("to", "must not be before 'from'")])
            weeks = qc.weeks_between(first, last)
            if len(weeks) > MAX_RANGE_WEEKS:
                raise Invalid([FieldProblem("to", f"a report covers at most {MAX_RANGE_WEEKS} weeks")])
            return weeks
        return [parse_week(query["week"]) if query.get("week") else self.last_finished_week()]

    async def report(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        require(principal, QC_READERS)
        return await self.report_for(self.weeks_of(query))

    async def report_for(self, weeks: Sequence[qc.Week]) -> dict[str, Any]:
        names = [str(w) for w in weeks]
        rows = await self.qc.evaluations(weeks=names)
        rubric = await self.rubric_version()
        elements = list(qc.rubric_from_stored(rubric.elements))
        known = {e.key for e in elements}
        for row in rows:  # elements of older rubric versions still count, under their own titles
            if row.rubric_version != rubric.version:
                for element in qc.rubric_from_stored((await self.rubric_version(row.rubric_version)).elements):
                    if element.key not in known:
                        elements.append(element)
                        known.add(element.key)
        scored = [qc.ScoredEvaluation(r.seat_id, r.week, {k: v["score"] for k, v in r.scores.items()},
                                      r.earned, r.possible) for r in rows]
        built = qc.build_report(scored, elements, names)
        signal_rows = [r.signals for r in rows if r.signals]
        return {"weeks": built.weeks, "from": names[0], "to": names[-1], "rubric_version": rubric.version,
                "overall": built.overall, "takers": built.takers, "elements": built.elements,
                "most_missed": built.most_missed, "signals": _signal_means(signal_rows)}


def _signal_means(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    means: dict[str, Any] = {}
    for name in ("answer_s", "hold_s", "dispatch_s"):
        values = [r[name] for r in rows if isinstance(r.get(name), int | float)]
        means[f"mean_{name}"] = round(sum(values) / len(values), 3) if values else None
    return means


def _rubric_dict(version: Any) -> dict[str, Any]:
    return {"version": version.version, "elements": list(version.elements), "author": version.author,
            "created_at": version.created_at.isoformat()}


SCHEDULE_GRACE = timedelta(hours=1)  # a finished week is drawn by the timer an hour after it ended


async def run_weekly(service: QcService, *, interval: float, actor: str = "scheduler",
                     sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """The controller's timer: draw the last finished week (an hour after it ended) when it was not
    drawn yet, then look again every `interval` seconds, until cancelled; a failed look is logged
    and retried at the next one."""
    while True:
        try:
            await service.sample_week(service.last_finished_week(SCHEDULE_GRACE), actor=actor)
        except Exception as exc:
            log.warning("qc_sampling_failed", error=repr(exc))
        await sleep(interval)


__all__ = ["QcPolicy", "QcService", "parse_week", "run_weekly", "signals"]
