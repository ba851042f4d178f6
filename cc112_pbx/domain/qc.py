"""Quality control (issue 18): the rubric, ISO weeks in the centre's time zone, the weekly
sampling draw, compliance, and the report figures. Standard library only, no I/O.

- A rubric is a tuple of `RubricElement`s (key, Indonesian and English title, description,
  weight, whether "not applicable" is allowed); `DEFAULT_RUBRIC` holds the 14 default elements.
- `Week.parse("2026-W49")`, `week.bounds(tz)` -> the aware start (Monday 00:00 local) and end.
- `draw_samples(candidates, seed, per_taker, exclude_seats)` draws, for every call taker (seat),
  up to `per_taker` calls; the same seed and candidates always give the same draw, and
  `next_replacement` continues the same order when an evaluator swaps a sample.
- `compliance(elements, scores)` = points earned / points possible, not-applicable elements left out.
- `build_report(evaluations, elements)` aggregates per call taker, per element and per week.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

# --- the rubric ------------------------------------------------------------------------------------


class Score(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "na"


@dataclass(frozen=True, slots=True)
class RubricElement:
    key: str
    title_id: str
    title_en: str
    description: str = ""
    weight: float = 1.0
    na_allowed: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "title_id": self.title_id, "title_en": self.title_en,
                "description": self.description, "weight": self.weight, "na_allowed": self.na_allowed}


KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
MAX_ELEMENTS = 50
MAX_WEIGHT = 100.0


def _e(key: str, title_id: str, title_en: str, description: str, weight: float = 1.0,
       na_allowed: bool = True) -> RubricElement:
    return RubricElement(key, title_id, title_en, description, weight, na_allowed)


DEFAULT_RUBRIC: tuple[RubricElement, ...] = (
    _e("answer_time", "Dijawab dalam waktu target", "Answered within the target time",
       "The seat answered within the centre's target (see the automatic answer-time signal).", 1.0, False),
    _e("greeting", "Salam sesuai naskah, sopan dan ramah", "Greeting per script, polite and friendly",
       "Opened with the centre's greeting; polite and friendly throughout.", 1.0, False),
    _e("reporter_identity", "Identitas pelapor ditanyakan", "Reporter's identity asked",
       "Asked the reporter's name (and relation to the emergency)."),
    _e("callback_number", "Nomor telepon balik ditanyakan dan diverifikasi", "Callback number asked and verified",
       "Asked for a number to call back and read it back."),
    _e("location", "Lokasi ditanyakan dan diverifikasi", "Location asked and verified",
       "Asked where the emergency is and verified it (landmark, map, AML).", 2.0, False),
    _e("nature", "Jenis kedaruratan dipastikan", "Nature of the emergency established",
       "Established what happened, who is affected and whether lives are at risk.", 2.0, False),
    _e("protocol", "Pertanyaan mengikuti protokol", "Questioning follows protocol",
       "Followed the SOP's questions for the category."),
    _e("category_priority", "Kategori dan prioritas tepat", "Category and priority correct",
       "The incident's category and priority match what was reported.", 1.5, False),
    _e("data_entry", "Data dicatat akurat dan lengkap", "Data entered accurately and completely",
       "The incident form holds what the caller said, accurately and completely.", 1.0, False),
    _e("empathy", "Empati dan nada tenang", "Empathy and calm tone",
       "Showed empathy and kept a calm, reassuring tone."),
    _e("call_control", "Kendali atas panggilan", "Control of the call",
       "Kept the call focused and moved it forward."),
    _e("instructions", "Instruksi keselamatan / pra-kedatangan diberikan bila perlu",
       "Safety / pre-arrival instructions given when needed",
       "Gave the caller safety or pre-arrival instructions where the situation needed them.", 1.5),
    _e("dispatch", "Diteruskan ke instansi yang tepat tanpa penundaan",
       "Dispatched to the right agency without delay",
       "Passed the incident to the right agency promptly (see the time-to-dispatch signal).", 2.0),
    _e("closing", "Pelapor diberi tahu langkah berikutnya dan panggilan ditutup dengan baik",
       "Reporter informed of the next step and call closed properly",
       "Told the caller what happens next and closed the call properly."),
)


def parse_rubric(items: object) -> tuple[tuple[RubricElement, ...], list[tuple[str, str]]]:
    """A rubric from JSON (a list of element objects) and every problem as (field, message)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(items, list) or not items:
        return (), [("elements", "must be a non-empty list of elements")]
    if len(items) > MAX_ELEMENTS:
        return (), [("elements", f"at most {MAX_ELEMENTS} elements")]
    elements: list[RubricElement] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"elements[{n}]"
        if not isinstance(item, Mapping):
            problems.append((where, "must be an object"))
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append((f"{where}.key", "must be lower-case letters, digits and _ (1-48)"))
        elif key in seen:
            problems.append((f"{where}.key", f"{key!r} is used twice"))
        else:
            seen.add(key)
        texts = {}
        for name, required in (("title_id", True), ("title_en", True), ("description", False)):
            value = item.get(name, "")
            if not isinstance(value, str) or len(value) > 500 or (required and not value.strip()):
                problems.append((f"{where}.{name}", "must be a text of 1-500 characters" if required
                                 else "must be a text of at most 500 characters"))
            texts[name] = value if isinstance(value, str) else ""
        weight = item.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= MAX_WEIGHT:
            problems.append((f"{where}.weight", f"must be a number above 0 and at most {MAX_WEIGHT:g}"))
            weight = 1.0
        na_allowed = item.get("na_allowed", True)
        if not isinstance(na_allowed, bool):
            problems.append((f"{where}.na_allowed", "must be true or false"))
            na_allowed = True
        unknown = set(item) - {"key", "title_id", "title_en", "description", "weight", "na_allowed"}
        if unknown:
            problems.append((where, f"unknown field(s): {', '.join(sorted(map(str, unknown)))}"))
        if isinstance(key, str):
            elements.append(RubricElement(key, texts["title_id"], texts["title_en"], texts["description"],
                                          float(weight), na_allowed))
    return tuple(elements), problems


def rubric_from_stored(items: Iterable[Mapping[str, object]]) -> tuple[RubricElement, ...]:
    return tuple(RubricElement(str(i["key"]), str(i["title_id"]), str(i["title_en"]), str(i.get("description", "")),
                               float(i.get("weight", 1.0)), bool(i.get("na_allowed", True)))  # type: ignore[arg-type]
                 for i in items)


# --- scores and compliance --------------------------------------------------------------------------


def check_scores(elements: Sequence[RubricElement], scores: object) -> tuple[dict[str, tuple[Score, str]],
                                                                             list[tuple[str, str]]]:
    """`scores`: {key: {"score": "yes"|"no"|"na", "comment": "..."}} for every element, nothing else."""
    problems: list[tuple[str, str]] = []
    clean: dict[str, tuple[Score, str]] = {}
    if not isinstance(scores, Mapping):
        return {}, [("scores", "must be an object of element key -> {score, comment}")]
    by_key = {e.key: e for e in elements}
    for key in scores:
        if key not in by_key:
            problems.append((f"scores.{key}", "not an element of this rubric"))
    for element in elements:
        where = f"scores.{element.key}"
        item = scores.get(element.key)
        if item is None:
            problems.append((where, "is required (yes, no or na)"))
            continue
        if isinstance(item, str):
            item = {"score": item}
        if not isinstance(item, Mapping):
            problems.append((where, "must be {score, comment}"))
            continue
        try:
            score = Score(item.get("score"))
        except ValueError:
            problems.append((f"{where}.score", "must be yes, no or na"))
            continue
        if score is Score.NOT_APPLICABLE and not element.na_allowed:
            problems.append((f"{where}.score", "this element cannot be not applicable"))
            continue
        comment = item.get("comment", "") or ""
        if not isinstance(comment, str) or len(comment) > 2000:
            problems.append((f"{where}.comment", "must be a text of at most 2000 characters"))
            continue
        clean[element.key] = (score, comment)
    return clean, problems


@dataclass(frozen=True, slots=True)
class Compliance:
    earned: float
    possible: float

    @property
    def ratio(self) -> float | None:
        """None when every element was not applicable (nothing could be earned)."""
        return self.earned / self.possible if self.possible > 0 else None


def compliance(elements: Sequence[RubricElement], scores: Mapping[str, Score | str]) -> Compliance:
    """Points earned (weights of "yes") over points possible (weights of "yes" and "no")."""
    earned = possible = 0.0
    for element in elements:
        score = scores.get(element.key)
        if score is None or Score(score) is Score.NOT_APPLICABLE:
            continue
        possible += element.weight
        if Score(score) is Score.YES:
            earned += element.weight
    return Compliance(round(earned, 6), round(possible, 6))


# --- weeks ------------------------------------------------------------------------------------------

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """"2026-W49" (ISO 8601 week); ValueError naming the expected form otherwise."""
        match = WEEK_PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not an ISO week (YYYY-Www, e.g. 2026-W49): {text!r}")
        year, number = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime, tz: tzinfo) -> Week:
        year, number, _ = moment.astimezone(tz).isocalendar()
        return cls(year, number)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """Monday 00:00 to the next Monday 00:00 in `tz` (aware datetimes)."""
        start = datetime.combine(self.monday(), datetime.min.time(), tzinfo=tz)
        end = datetime.combine(self.monday() + timedelta(days=7), datetime.min.time(), tzinfo=tz)
        return start, end

    def previous(self) -> Week:
        year, number, _ = (self.monday() - timedelta(days=7)).isocalendar()
        return Week(year, number)

    def following(self) -> Week:
        year, number, _ = (self.monday() + timedelta(days=7)).isocalendar()
        return Week(year, number)


def weeks_between(first: Week, last: Week) -> list[Week]:
    weeks, week = [], first
    while week <= last and len(weeks) < 520:
        weeks.append(week)
        week = week.following()
    return weeks


# --- sampling ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """An answered, recorded call: who took it (the seat) and how long the talk lasted."""

    call_id: str
    seat_id: str
    recording_id: int
    talk_s: float


def eligible(candidates: Iterable[Candidate], *, min_talk_s: float,
             exclude_seats: Iterable[str] = ()) -> list[Candidate]:
    """Calls longer than the minimum, not taken at an excluded seat (the evaluators' own)."""
    excluded = set(exclude_seats)
    return [c for c in candidates if c.talk_s > min_talk_s and c.seat_id not in excluded]


def draw_order(candidates: Iterable[Candidate], seed: int, seat_id: str) -> list[Candidate]:
    """One seat's calls in the order the seed draws them: the same seed, seat and calls give the
    same order whatever order the calls were given in."""
    own = sorted((c for c in candidates if c.seat_id == seat_id), key=lambda c: c.call_id)
    random.Random(f"cc112-qc:{seed}:{seat_id}").shuffle(own)
    return own


@dataclass(frozen=True, slots=True)
class Draw:
    samples: dict[str, list[Candidate]]  # seat -> the calls drawn
    available: dict[str, int]  # seat -> how many eligible calls it had
    per_taker: int

    @property
    def shortfall(self) -> dict[str, int]:
        """Seats that had fewer eligible calls than wanted, and by how many."""
        return {seat: self.per_taker - len(drawn) for seat, drawn in self.samples.items()
                if len(drawn) < self.per_taker}


def draw_samples(candidates: Iterable[Candidate], seed: int, *, per_taker: int = 2) -> Draw:
    """`per_taker` calls per seat (fewer when fewer exist), from calls already made `eligible`."""
    pool = list(candidates)
    seats = sorted({c.seat_id for c in pool})
    samples = {seat: draw_order(pool, seed, seat)[:per_taker] for seat in seats}
    available = {seat: sum(1 for c in pool if c.seat_id == seat) for seat in seats}
    return Draw(samples, available, per_taker)


def next_replacement(candidates: Iterable[Candidate], seed: int, seat_id: str,
                     used: Iterable[str]) -> Candidate | None:
    """The next call of the seat's draw order not used yet (a swap continues the same order)."""
    taken = set(used)
    return next((c for c in draw_order(candidates, seed, seat_id) if c.call_id not in taken), None)


# --- reports -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoredEvaluation:
    """What the report needs of one evaluation in force (the newest version of a sample's)."""

    seat_id: str
    week: str
    scores: Mapping[str, str]
    earned: float
    possible: float


@dataclass(slots=True)
class _Tally:
    earned: float = 0.0
    possible: float = 0.0
    evaluations: int = 0

    def add(self, evaluation: ScoredEvaluation) -> None:
        self.earned += evaluation.earned
        self.possible += evaluation.possible
        self.evaluations += 1

    def figures(self) -> dict[str, object]:
        return {"evaluations": self.evaluations, "earned": round(self.earned, 6),
                "possible": round(self.possible, 6),
                "compliance": round(self.earned / self.possible, 6) if self.possible else None}


@dataclass(frozen=True, slots=True)
class QcReport:
    weeks: list[str]
    overall: dict[str, object]
    takers: list[dict[str, object]]  # per seat: figures, trend (per week), missed (element keys, most first)
    elements: list[dict[str, object]]  # per element: yes/no/na counts, compliance, per week
    most_missed: list[dict[str, object]] = field(default_factory=list)


def build_report(evaluations: Iterable[ScoredEvaluation], elements: Sequence[RubricElement],
                 weeks: Sequence[str]) -> QcReport:
    """Compliance pooled as points earned / points possible; an element's compliance is its
    yes / (yes + no); the trend is the compliance of each week of `weeks` (None: not evaluated)."""
    rows = list(evaluations)
    overall = _Tally()
    takers: dict[str, _Tally] = {}
    taker_weeks: dict[tuple[str, str], _Tally] = {}
    week_tally: dict[str, _Tally] = {}
    counts: dict[str, dict[str, int]] = {e.key: {"yes": 0, "no": 0, "na": 0} for e in elements}
    element_weeks: dict[tuple[str, str], dict[str, int]] = {}
    missed_by_taker: dict[str, dict[str, int]] = {}
    for row in rows:
        overall.add(row)
        takers.setdefault(row.seat_id, _Tally()).add(row)
        taker_weeks.setdefault((row.seat_id, row.week), _Tally()).add(row)
        week_tally.setdefault(row.week, _Tally()).add(row)
        for key, score in row.scores.items():
            if key not in counts:
                counts[key] = {"yes": 0, "no": 0, "na": 0}
            counts[key][str(score)] += 1
            element_weeks.setdefault((key, row.week), {"yes": 0, "no": 0, "na": 0})[str(score)] += 1
            if str(score) == Score.NO:
                missed = missed_by_taker.setdefault(row.seat_id, {})
                missed[key] = missed.get(key, 0) + 1
    titles = {e.key: e for e in elements}

    def share(c: Mapping[str, int]) -> float | None:
        return round(c["yes"] / (c["yes"] + c["no"]), 6) if c["yes"] + c["no"] else None

    taker_rows = []
    for seat in sorted(takers):
        missed = missed_by_taker.get(seat, {})
        taker_rows.append({
            "seat_id": seat, **takers[seat].figures(),
            "trend": [{"week": w, "compliance": taker_weeks[(seat, w)].figures()["compliance"]
                       if (seat, w) in taker_weeks else None} for w in weeks],
            "missed": [{"key": k, "count": n} for k, n in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))],
        })
    element_rows = []
    for key, c in counts.items():
        element = titles.get(key)
        element_rows.append({
            "key": key, "title_id": element.title_id if element else key,
            "title_en": element.title_en if element else key, "weight": element.weight if element else None,
            **c, "compliance": share(c),
            "trend": [{"week": w, "compliance": share(element_weeks[(key, w)]) if (key, w) in element_weeks
                       else None} for w in weeks],
        })
    most_missed = sorted((r for r in element_rows if r["no"]), key=lambda r: (-int(r["no"]), str(r["key"])))
    overall_figures = {**overall.figures(),
                       "trend": [{"week": w, "compliance": week_tally[w].figures()["compliance"]
                                  if w in week_tally else None} for w in weeks]}
    return QcReport(list(weeks), overall_figures, taker_rows, element_rows,
                    [{"key": r["key"], "title_en": r["title_en"], "title_id": r["title_id"], "missed": r["no"]}
                     for r in most_missed])
