"""Reading the answers of a journal entry: parts of the feedback text, the areas it names,
a reflection answer. Nothing here talks to Telegram or the conversation state."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.domain.journal import TEXT_MAX, JournalArea, Step, join_parts
from bot.telegram.handlers.utils import Refused


def read_part(parts: list[str], part: str) -> list[str] | Refused:
    """The parts with one more (typed, pasted or forwarded), unless it is empty or too long."""
    if not part.strip():
        return Refused(_("Please send the feedback as text, or tap a button above."))
    parts = [*parts, part]
    if len(join_parts(parts)) > TEXT_MAX:
        return Refused(
            _("That's more than I can keep in one entry ({limit} characters). Tap «Done».").format(
                limit=TEXT_MAX
            )
        )
    return parts


def toggle_area(chosen: list[str], value: str) -> list[str]:
    """The areas chosen after a tap on ``value``, in the order of :class:`JournalArea`."""
    chosen = list(chosen)
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)
    return [area.value for area in JournalArea if area.value in chosen]


def read_reflection(text: str) -> str | Refused:
    answer = text.strip()
    if not answer:
        return Refused(_("Please answer in words, or /cancel."))
    return answer


def is_plan_step(area: str, step: str) -> bool:
    """A plan button names a known area and step (an empty area opens the plan)."""
    return area in set(JournalArea) and step in set(Step)
