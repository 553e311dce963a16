"""The feedback journal and the improvement plan, as pure rules (seed: «Записывать полученные
комментарии», «Составлять план улучшения», «Работать над указанными слабыми местами»)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.domain.preferences import clean_text

TEXT_MAX: Final = 16_000
QUOTE_MAX: Final = 80


class EntryKind(StrEnum):
    FEEDBACK = "feedback"
    NONE = "none"  # they gave no feedback
    DECLINED = "declined"  # they refused to give it
    REFLECTION = "reflection"  # the person's own answers


class JournalArea(StrEnum):
    TECHNICAL = "tech"
    COMMUNICATION = "comm"
    CULTURE = "culture"
    ATTITUDE = "attitude"
    OTHER = "other"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    CONSTRUCTIVE = "constructive"
    MIXED = "mixed"


class Step(StrEnum):
    """Plan steps for an area (seed: «Практикуйте навыки», «Обновите резюме и портфолио»,
    «Демонстрируйте изменения в будущих собеседованиях»)."""

    PRACTICE = "practice"
    CV = "cv"
    EXAMPLE = "example"


TO_WORK_ON: Final = frozenset({Sentiment.CONSTRUCTIVE, Sentiment.MIXED})


def join_parts(parts: Iterable[str]) -> str:
    """Several messages of one feedback, in order, as paragraphs."""
    return "\n\n".join(part.strip() for part in parts if part.strip())


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    flat = clean_text(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class EntryFacts:
    interview_id: int
    kind: str
    areas: tuple[str, ...]
    sentiment: str | None
    text: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AreaPlan:
    area: JournalArea
    interviews: int
    quotes: tuple[str, ...]
    steps: tuple[tuple[Step, bool], ...]  # each step and whether it is done

    @property
    def done(self) -> bool:
        return all(done for _step, done in self.steps)


def build_plan(
    entries: Sequence[EntryFacts], done: set[tuple[str, str]], quotes_per_area: int = 2
) -> list[AreaPlan]:
    """Areas to improve across interviews, the most frequent first.

    An area counts once per interview that mentioned it in constructive or mixed feedback
    (or in the person's own reflection); quotes are the latest ones.
    """
    interviews: dict[JournalArea, set[int]] = {}
    quotes: dict[JournalArea, list[tuple[datetime, str]]] = {}
    for entry in entries:
        relevant = entry.kind == EntryKind.REFLECTION or (
            entry.kind == EntryKind.FEEDBACK and entry.sentiment in TO_WORK_ON
        )
        if not relevant:
            continue
        for name in entry.areas:
            area = JournalArea(name)
            interviews.setdefault(area, set()).add(entry.interview_id)
            if entry.text:
                quotes.setdefault(area, []).append((entry.created_at, quote(entry.text)))
    order = list(JournalArea)
    plans = []
    for area, mentioned in interviews.items():
        latest = sorted(quotes.get(area, []), key=lambda item: item[0], reverse=True)
        plans.append(
            AreaPlan(
                area=area,
                interviews=len(mentioned),
                quotes=tuple(text for _at, text in latest[:quotes_per_area]),
                steps=tuple((step, (area.value, step.value) in done) for step in Step),
            )
        )
    return sorted(plans, key=lambda plan: (-plan.interviews, order.index(plan.area)))
