"""Reading the answers of the intake conversation: typed text (names, addresses, dates) and
the values its buttons carry. Nothing here talks to Telegram or the conversation state."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from aiogram.utils.i18n import gettext as _

from bot.domain.dates import DateError, parse_future_date, parse_past_date
from bot.domain.intake import (
    DATE_STEPS,
    TEXT_STEPS,
    Channel,
    Draft,
    Outcome,
    Step,
    TextProblem,
    Tone,
    clean_name,
    draft_date,
    parse_address,
)
from bot.telegram.handlers.utils import Refused
from bot.telegram.views.common import human_date
from bot.telegram.views.intake import date_problem, name_problem

E = TypeVar("E", bound=StrEnum)


def member(enum: type[E], value: str) -> E | None:
    """The member of ``enum`` a button carries, or ``None`` for an unknown value."""
    try:
        return enum(value)
    except ValueError:
        return None


def check_order(step: Step, draft: Draft, value: date) -> str | None:
    """An answer or a last contact cannot come before the last stage."""
    stage = draft_date(draft, Step.LAST_STAGE)
    if step in {Step.RESULT_ON, Step.LAST_CONTACT} and stage is not None and value < stage:
        return _("That is before the last stage ({date}). Please check the date.").format(
            date=human_date(stage)
        )
    return None


def _parse_date(step: Step, text: str, today: date) -> date | DateError:
    if step is Step.NEXT_STAGE:
        return parse_future_date(text, today)
    return parse_past_date(text, today)


def read_text(step: Step, draft: Draft, text: str, today: date) -> str | Refused:
    """The value a typed answer stores for ``step`` (a date as ISO text), or why it is refused."""
    if step in DATE_STEPS:
        parsed = _parse_date(step, text, today)
        if isinstance(parsed, DateError):
            return Refused(date_problem(parsed.problem, text))
        problem = check_order(step, draft, parsed)
        if problem:
            return Refused(problem)
        return parsed.isoformat()
    if step is Step.ADDRESS:
        address = parse_address(draft.get(Step.CHANNEL), text)
        if isinstance(address, TextProblem):
            return Refused(name_problem(address, text))
        return address
    if step in TEXT_STEPS:
        name = clean_name(text)
        if isinstance(name, TextProblem):
            return Refused(name_problem(name, text))
        return name
    return Refused(_("Please choose one of the buttons above, or /cancel."))


def button_date(step: Step, draft: Draft, value: str, today: date) -> date | None:
    """The date a date button stands for: some days ago, or the day of the last stage."""
    if value == "stage" and step is Step.LAST_CONTACT:
        return draft_date(draft, Step.LAST_STAGE)
    if value in {"0", "1", "2"}:
        return today - timedelta(days=int(value))
    return None


def pick(step: Step, value: str) -> str | bool | None:
    """The answer a choice button stands for, or ``None`` when it is not one of the step's."""
    if step is Step.ALL_DONE:
        return value == "yes" if value in {"yes", "no"} else None
    choices: dict[Step, type[StrEnum]] = {
        Step.CHANNEL: Channel,
        Step.OUTCOME: Outcome,
        Step.TONE: Tone,
    }
    enum = choices.get(step)
    found = member(enum, value) if enum else None
    return None if found is None else str(found)
