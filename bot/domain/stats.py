"""Statistics of the person's search, as pure rules: outcomes, the way from an interview to
an answer, how long answers take, and what the feedback most often asks to work on.

No aiogram and no database here: the handler maps rows to the small facts below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from statistics import median
from typing import Final

from bot.domain.intake import Outcome
from bot.domain.journal import TO_WORK_ON, EntryFacts, EntryKind, JournalArea

CHART_MIN_INTERVIEWS: Final = 3
"""The chart is sent from this many interviews on: with fewer it shows nothing new."""
TOP_AREAS: Final = 3
ANSWERS: Final = frozenset({"feedback", "declined"})
"""``Interview.reply`` values that mean the employer answered the request."""
SECONDS_PER_DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class InterviewFacts:
    """What the statistics need from one interview (archived ones count too)."""

    outcome: str
    request_sent_at: datetime | None = None
    reply: str | None = None  # feedback | declined | None
    replied_at: datetime | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Stats:
    total: int
    archived: int
    by_outcome: tuple[tuple[Outcome, int], ...]
    """Every outcome in the intake order, zeros included."""
    requests_sent: int
    responses: int
    """Interviews where the employer answered (feedback or declined), asked for or not."""
    answered_requests: int
    """Of the requests sent, how many got an answer: the last step of the funnel."""
    response_rate: float | None
    """``answered_requests / requests_sent``, from 0 to 1; None when no request was sent."""
    median_days: float | None
    """Median days from the request to the answer, one decimal; None without answers."""
    top_areas: tuple[tuple[JournalArea, int], ...]
    """Areas named in constructive or mixed feedback, with how many interviews named them."""

    @property
    def funnel(self) -> tuple[int, int, int]:
        """Interviews → requests sent → answers to them."""
        return self.total, self.requests_sent, self.answered_requests

    @property
    def has_chart(self) -> bool:
        return self.total >= CHART_MIN_INTERVIEWS

    def outcome_count(self, outcome: Outcome) -> int:
        return dict(self.by_outcome)[outcome]


def round_half_up(value: Fraction, digits: int = 1) -> float:
    """``2.25 → 2.3``: exact, unlike ``round`` on binary floats (which also rounds to even)."""
    scale: int = 10**digits
    return ((value * scale + Fraction(1, 2)) // 1) / scale


def compute_stats(interviews: Sequence[InterviewFacts], entries: Sequence[EntryFacts]) -> Stats:
    """The person's numbers.

    * A request counts when the person marked it sent (``request_sent_at``).
    * A response is an employer's answer: feedback or a refusal to give it. The response rate
      and the median count only answers to requests sent, so the rate never exceeds 100 %;
      an answer recorded before its request (clock or data oddities) is left out of the median.
    * An area counts once per interview, however many entries name it (as in the plan);
      ties keep the order of the areas in the journal.
    """
    by_outcome = dict.fromkeys(Outcome, 0)
    requests_sent = responses = answered_requests = 0
    waits: list[Fraction] = []
    for interview in interviews:
        by_outcome[Outcome(interview.outcome)] += 1
        answered = interview.reply in ANSWERS
        responses += answered
        if interview.request_sent_at is None:
            continue
        requests_sent += 1
        answered_requests += answered
        if answered and interview.replied_at is not None:
            seconds = (interview.replied_at - interview.request_sent_at).total_seconds()
            if seconds >= 0:
                waits.append(Fraction(round(seconds), SECONDS_PER_DAY))
    return Stats(
        total=len(interviews),
        archived=sum(1 for i in interviews if i.archived),
        by_outcome=tuple(by_outcome.items()),
        requests_sent=requests_sent,
        responses=responses,
        answered_requests=answered_requests,
        response_rate=answered_requests / requests_sent if requests_sent else None,
        median_days=round_half_up(median(waits)) if waits else None,
        top_areas=top_areas(entries),
    )


def top_areas(
    entries: Sequence[EntryFacts], limit: int = TOP_AREAS
) -> tuple[tuple[JournalArea, int], ...]:
    """The areas constructive or mixed feedback names most, by the interviews naming them."""
    named: dict[JournalArea, set[int]] = {}
    for entry in entries:
        if entry.kind != EntryKind.FEEDBACK or entry.sentiment not in TO_WORK_ON:
            continue
        for area in entry.areas:
            named.setdefault(JournalArea(area), set()).add(entry.interview_id)
    order = list(JournalArea)
    ranked = sorted(named.items(), key=lambda item: (-len(item[1]), order.index(item[0])))
    return tuple((area, len(interviews)) for area, interviews in ranked[:limit])
