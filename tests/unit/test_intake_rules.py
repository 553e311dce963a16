"""The intake conversation's rules: order of steps, skipping, editing, validation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.intake import (
    ORDER,
    Area,
    Channel,
    Outcome,
    Step,
    TextProblem,
    applicable,
    clean_name,
    is_complete,
    next_step,
    normalize,
    parse_email,
    parse_telegram,
    previous_step,
    to_fields,
    toggle_area,
)

BASE: dict[str, Any] = {
    "company": "Яндекс",
    "position": "Python-разработчик",
    "contact": None,
    "channel": "phone",
    "last_stage": "2026-11-25",
    "all_done": True,
}


def walk(draft: dict[str, Any]) -> list[Step]:
    """The steps asked, in order, for answers already known."""
    asked: list[Step] = []
    step = next_step(draft, None)
    while step is not None:
        asked.append(step)
        step = next_step(draft, step)
    return asked


def test_rejected_by_email_asks_everything_relevant() -> None:
    draft = {**BASE, "channel": "email", "outcome": "rejected"}
    assert walk(draft) == [
        Step.COMPANY, Step.POSITION, Step.CONTACT, Step.CHANNEL, Step.ADDRESS,
        Step.LAST_STAGE, Step.ALL_DONE, Step.OUTCOME, Step.TONE, Step.RESULT_ON,
        Step.PRIORITIES,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "absent", "present"),
    [
        ({"outcome": "offer"}, {Step.TONE, Step.PRIORITIES, Step.LAST_CONTACT}, {Step.RESULT_ON}),
        ({"outcome": "silent"}, {Step.TONE, Step.RESULT_ON}, {Step.LAST_CONTACT}),
        ({"outcome": "waiting"}, {Step.TONE, Step.RESULT_ON, Step.LAST_CONTACT}, set()),
        ({"all_done": False, "outcome": "waiting"}, set(), {Step.NEXT_STAGE}),
        ({"channel": "chat", "outcome": "waiting"}, {Step.ADDRESS}, set()),
        ({"channel": "telegram", "outcome": "waiting"}, set(), {Step.ADDRESS}),
        ({"channel": "other", "outcome": "waiting"}, set(), {Step.ADDRESS}),
    ],
)
def test_branches_ask_only_what_applies(
    changes: dict[str, Any], absent: set[Step], present: set[Step]
) -> None:
    asked = set(walk({**BASE, **changes}))
    assert not asked & absent
    assert present <= asked


def test_back_skips_steps_that_do_not_apply() -> None:
    draft = {**BASE, "outcome": "waiting"}
    assert previous_step(draft, Step.LAST_STAGE) == Step.CHANNEL  # phone: no address
    assert previous_step(draft, Step.OUTCOME) == Step.ALL_DONE  # all done: no next stage
    assert previous_step({**draft, "all_done": False}, Step.OUTCOME) == Step.NEXT_STAGE
    assert previous_step(draft, Step.COMPANY) is None


def test_editing_the_outcome_asks_only_what_the_new_one_needs() -> None:
    draft = {**BASE, "outcome": "waiting", "priorities": ["tech"]}
    assert is_complete(draft)
    draft["outcome"] = "rejected"
    assert next_step(draft, Step.OUTCOME, editing=True) == Step.TONE
    draft["tone"] = "harsh"
    assert next_step(draft, Step.TONE, editing=True) == Step.RESULT_ON
    draft["result_on"] = "2026-11-26"
    assert next_step(draft, Step.RESULT_ON, editing=True) is None
    assert is_complete(draft)


def test_switching_to_offer_drops_answers_that_no_longer_apply() -> None:
    draft = {**BASE, "outcome": "rejected", "tone": "polite", "result_on": "2026-11-26",
             "priorities": ["comm"], "channel": "email", "address": "hr@x.ru"}  # fmt: skip
    draft.update(outcome="offer", channel="phone")
    clean = normalize(draft)
    assert "tone" not in clean
    assert "priorities" not in clean
    assert "address" not in clean
    assert clean["result_on"] == "2026-11-26"


def test_to_fields_gives_typed_columns() -> None:
    draft = {**BASE, "all_done": False, "next_stage": None, "outcome": "waiting",
             "priorities": ["tech", "attitude"]}  # fmt: skip
    fields = to_fields(draft)
    assert fields["last_stage_on"] == date(2026, 11, 25)
    assert fields["next_stage_on"] is None
    assert fields["all_stages_done"] is False
    assert fields["contact_name"] is None
    assert fields["priorities"] == ["tech", "attitude"]


def test_toggling_areas_keeps_a_stable_order() -> None:
    draft: dict[str, Any] = {}
    draft["priorities"] = toggle_area(draft, Area.ATTITUDE)
    draft["priorities"] = toggle_area(draft, Area.TECHNICAL)
    assert draft["priorities"] == ["tech", "attitude"]
    assert toggle_area(draft, Area.TECHNICAL) == ["attitude"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Anna@Yandex.RU", "Anna@yandex.ru"),
        (" hr@company.ru ", "hr@company.ru"),
        ("mailto:hr@company.ru", "hr@company.ru"),
        ("first.last+jobs@mail.co.uk", "first.last+jobs@mail.co.uk"),
        ("hr@company", None),
        ("hr company.ru", None),
        ("@company.ru", None),
        ("a..b@company.ru", None),
        ("<b>hr@x.ru</b>", None),
    ],
)
def test_email_validation(typed: str, expected: str | None) -> None:
    assert parse_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@anna_hr", "@anna_hr"),
        ("anna_hr", "@anna_hr"),
        ("t.me/anna_hr", "@anna_hr"),
        ("https://t.me/anna_hr", "@anna_hr"),
        ("http://telegram.me/Anna_HR/", "@Anna_HR"),
        ("@ann", None),
        ("@1anna", None),
        ("@anna_", None),
        ("https://example.com/anna", None),
        ("@" + "a" * 40, None),
    ],
)
def test_telegram_usernames(typed: str, expected: str | None) -> None:
    assert parse_telegram(typed) == expected


def test_names_are_cleaned_and_bounded() -> None:
    assert clean_name("  ООО   «Ромашка» ") == "ООО «Ромашка»"
    assert clean_name("\u2800") == TextProblem.EMPTY
    assert clean_name("x" * 101) == TextProblem.TOO_LONG
    assert clean_name("x" * 100) == "x" * 100


answers = st.fixed_dictionaries(
    {
        "company": st.just("C"),
        "position": st.just("P"),
        "contact": st.none(),
        "channel": st.sampled_from(list(Channel)),
        "address": st.just("a@b.ru"),
        "last_stage": st.just("2026-11-20"),
        "all_done": st.booleans(),
        "next_stage": st.none(),
        "outcome": st.sampled_from(list(Outcome)),
        "tone": st.just("polite"),
        "result_on": st.just("2026-11-21"),
        "last_contact": st.just("2026-11-21"),
        "priorities": st.just(["tech"]),
    }
)


@given(answers)
def test_a_full_walk_asks_exactly_the_applicable_steps_in_order(draft: dict[str, Any]) -> None:
    asked = walk(draft)
    assert asked == [step for step in ORDER if applicable(step, draft)]
    assert is_complete(normalize(draft))


@given(answers, st.sampled_from(list(Step)))
def test_back_then_forward_returns_to_the_same_step(draft: dict[str, Any], step: Step) -> None:
    if not applicable(step, draft):
        return
    back = previous_step(draft, step)
    if back is not None:
        assert next_step(draft, back) == step
