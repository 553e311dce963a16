"""The improvement plan as a pure function of journal entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.journal import EntryFacts, JournalArea, Step, build_plan, join_parts, quote

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def entry(
    interview: int,
    areas: tuple[str, ...],
    sentiment: str | None = "constructive",
    *,
    kind: str = "feedback",
    text: str | None = "текст",
    day: int = 0,
) -> EntryFacts:
    return EntryFacts(interview, kind, areas, sentiment, text, T0 + timedelta(days=day))


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], []),
        ([entry(1, ("tech",), "positive")], []),  # praise is not a weak spot
        ([entry(1, ("tech",))], [("tech", 1)]),
        ([entry(1, ("tech",), "mixed")], [("tech", 1)]),
        ([entry(1, ("tech", "comm"))], [("tech", 1), ("comm", 1)]),  # ties keep the seed order
        (
            [entry(1, ("comm",)), entry(2, ("comm",)), entry(3, ("tech",))],
            [("comm", 2), ("tech", 1)],
        ),
        ([entry(1, ("tech",)), entry(1, ("tech",), day=1)], [("tech", 1)]),  # once per interview
        ([entry(1, (), kind="none", text=None)], []),
        ([entry(1, ("attitude",), None, kind="reflection")], [("attitude", 1)]),
        (
            [entry(1, ("other",)), entry(2, ("other",)), entry(3, ("culture",))],
            [("other", 2), ("culture", 1)],
        ),
    ],
)
def test_areas_are_counted_per_interview_and_sorted(
    entries: list[EntryFacts], expected: list[tuple[str, int]]
) -> None:
    plans = build_plan(entries, set())
    assert [(plan.area.value, plan.interviews) for plan in plans] == expected


def test_latest_quotes_come_first_and_are_short() -> None:
    entries = [
        entry(1, ("tech",), text="старое замечание", day=0),
        entry(2, ("tech",), text="новое замечание " + "x" * 200, day=5),
        entry(3, ("tech",), text="среднее", day=2),
    ]
    [plan] = build_plan(entries, set())
    assert plan.quotes[0].startswith("новое замечание")
    assert len(plan.quotes[0]) == 80
    assert plan.quotes[0].endswith("…")
    assert plan.quotes[1] == "среднее"
    assert len(plan.quotes) == 2


def test_ticked_steps_are_marked_done() -> None:
    [plan] = build_plan([entry(1, ("comm",))], {("comm", "cv"), ("tech", "practice")})
    assert plan.area is JournalArea.COMMUNICATION
    assert dict(plan.steps) == {Step.PRACTICE: False, Step.CV: True, Step.EXAMPLE: False}
    assert not plan.done
    [finished] = build_plan([entry(1, ("comm",))], {("comm", s.value) for s in Step})
    assert finished.done


def test_parts_are_joined_as_paragraphs_and_quotes_flattened() -> None:
    assert join_parts(["  первое ", "", "второе"]) == "первое\n\nвторое"
    assert quote("строка\nвторая   строка") == "строка вторая строка"
