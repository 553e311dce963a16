"""The new-interview conversation as pure rules: which step comes next, what is valid.

The answers collect in a *draft*: a JSON-safe dict kept in the conversation state, so a
restart continues with everything already typed. A key present in the draft means the step
was answered (``None`` = skipped).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any, Final

from bot.db.models import Interview
from bot.domain.preferences import clean_text

NAME_MAX: Final = 100
ADDRESS_MAX: Final = 255

Draft = dict[str, Any]


class Step(StrEnum):
    COMPANY = "company"
    POSITION = "position"
    CONTACT = "contact"
    CHANNEL = "channel"
    ADDRESS = "address"
    LAST_STAGE = "last_stage"
    ALL_DONE = "all_done"
    NEXT_STAGE = "next_stage"
    OUTCOME = "outcome"
    TONE = "tone"
    RESULT_ON = "result_on"
    LAST_CONTACT = "last_contact"
    PRIORITIES = "priorities"


ORDER: Final = tuple(Step)


class Channel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    CHAT = "chat"  # hh.ru or the company site's chat
    PHONE = "phone"
    OTHER = "other"


class Outcome(StrEnum):
    REJECTED = "rejected"
    WAITING = "waiting"
    OFFER = "offer"
    SILENT = "silent"


class Tone(StrEnum):
    POLITE = "polite"
    HARSH = "harsh"


class Area(StrEnum):
    TECHNICAL = "tech"
    COMMUNICATION = "comm"
    CULTURE = "culture"
    ATTITUDE = "attitude"


CHANNELS_WITH_ADDRESS: Final = frozenset({Channel.EMAIL, Channel.TELEGRAM, Channel.OTHER})
# Steps the person may leave empty.
SKIPPABLE: Final = frozenset({Step.CONTACT, Step.ADDRESS, Step.NEXT_STAGE})
# Steps answered by typing (the others by buttons; dates take both).
TEXT_STEPS: Final = frozenset(
    {
        Step.COMPANY,
        Step.POSITION,
        Step.CONTACT,
        Step.ADDRESS,
        Step.LAST_STAGE,
        Step.NEXT_STAGE,
        Step.RESULT_ON,
        Step.LAST_CONTACT,
    }
)
DATE_STEPS: Final = frozenset({Step.LAST_STAGE, Step.NEXT_STAGE, Step.RESULT_ON, Step.LAST_CONTACT})


def applicable(step: Step, draft: Draft) -> bool:
    """Whether the step is asked at all, given the answers so far."""
    outcome = draft.get(Step.OUTCOME)
    if step is Step.ADDRESS:
        return draft.get(Step.CHANNEL) in CHANNELS_WITH_ADDRESS
    if step is Step.NEXT_STAGE:
        return draft.get(Step.ALL_DONE) is False
    if step is Step.TONE:
        return outcome == Outcome.REJECTED
    if step is Step.RESULT_ON:
        return outcome in {Outcome.REJECTED, Outcome.OFFER}
    if step is Step.LAST_CONTACT:
        return outcome == Outcome.SILENT
    if step is Step.PRIORITIES:
        return outcome != Outcome.OFFER
    return True


def next_step(draft: Draft, after: Step | None, *, editing: bool = False) -> Step | None:
    """The step to ask after ``after``; ``None`` means the summary.

    While editing, steps already answered are passed over: changing the outcome to
    «rejected» asks only what that outcome adds (tone, date of the answer).
    """
    start = ORDER.index(after) + 1 if after is not None else 0
    for step in ORDER[start:]:
        if not applicable(step, draft):
            continue
        if editing and step in draft:
            continue
        return step
    return None


def previous_step(draft: Draft, current: Step) -> Step | None:
    """The step Back returns to; ``None`` on the first one."""
    for step in reversed(ORDER[: ORDER.index(current)]):
        if applicable(step, draft):
            return step
    return None


def normalize(draft: Draft) -> Draft:
    """Drop answers that no longer apply (an address after switching to phone, say)."""
    return {key: value for key, value in draft.items() if applicable(Step(key), draft)}


def apply_answer(draft: Draft, step: Step, value: Any) -> Draft:
    """The draft with one more answer, forgetting the answers it makes wrong.

    A new channel needs a new address (an email is not a Telegram name); a later last stage
    makes an earlier answer date or last contact impossible, so those are asked again.
    """
    updated = {**draft, step: value}
    if step is Step.CHANNEL and draft.get(Step.CHANNEL) != value:
        updated.pop(Step.ADDRESS, None)
    if step is Step.LAST_STAGE:
        stage = draft_date(updated, Step.LAST_STAGE)
        for later in (Step.RESULT_ON, Step.LAST_CONTACT):
            known = draft_date(updated, later)
            if stage is not None and known is not None and known < stage:
                updated.pop(later, None)
    return updated


def is_complete(draft: Draft) -> bool:
    return next_step(draft, None, editing=True) is None


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_EMAIL = "bad_email"
    BAD_TELEGRAM = "bad_telegram"


def clean_name(text: str, limit: int = NAME_MAX) -> str | TextProblem:
    value = clean_text(text)
    if not value:
        return TextProblem.EMPTY
    if len(value) > limit:
        return TextProblem.TOO_LONG
    return value


_EMAIL_RE: Final = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
_TELEGRAM_RE: Final = re.compile(
    r"^(?:@|(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/)?([A-Za-z][A-Za-z0-9_]{3,31})/?$",
    re.IGNORECASE,
)


def parse_email(text: str) -> str | None:
    """A valid address with the domain lower-cased (the local part is the owner's)."""
    value = text.strip().removeprefix("mailto:")
    if len(value) > ADDRESS_MAX or not _EMAIL_RE.match(value):
        return None
    local, domain = value.rsplit("@", 1)
    if ".." in local or local.startswith(".") or local.endswith("."):
        return None
    return f"{local}@{domain.lower()}"


def parse_telegram(text: str) -> str | None:
    """``@username``, ``t.me/username`` or a full link → ``@username``."""
    match = _TELEGRAM_RE.match(text.strip())
    if match is None:
        return None
    username = match.group(1)
    if username.endswith("_") or "__" in username:
        return None
    return f"@{username}"


def parse_address(channel: str | None, text: str) -> str | TextProblem:
    if channel == Channel.EMAIL:
        return parse_email(text) or TextProblem.BAD_EMAIL
    if channel == Channel.TELEGRAM:
        return parse_telegram(text) or TextProblem.BAD_TELEGRAM
    return clean_name(text, ADDRESS_MAX)


def toggle_area(draft: Draft, area: Area) -> list[str]:
    chosen = list(draft.get(Step.PRIORITIES) or [])
    if area in chosen:
        chosen.remove(area)
    else:
        chosen.append(area)
    return [a.value for a in Area if a.value in chosen]  # a stable order


def draft_date(draft: Draft, step: Step) -> date | None:
    value = draft.get(step)
    return date.fromisoformat(value) if isinstance(value, str) else None


def to_fields(draft: Draft) -> dict[str, Any]:
    """Interview columns from a complete draft."""
    clean = normalize(draft)
    return {
        "company": clean[Step.COMPANY],
        "position": clean[Step.POSITION],
        "contact_name": clean.get(Step.CONTACT),
        "channel": clean[Step.CHANNEL],
        "contact_address": clean.get(Step.ADDRESS),
        "last_stage_on": draft_date(clean, Step.LAST_STAGE),
        "all_stages_done": bool(clean[Step.ALL_DONE]),
        "next_stage_on": draft_date(clean, Step.NEXT_STAGE),
        "outcome": clean[Step.OUTCOME],
        "rejection_tone": clean.get(Step.TONE),
        "result_on": draft_date(clean, Step.RESULT_ON),
        "last_contact_on": draft_date(clean, Step.LAST_CONTACT),
        "priorities": list(clean.get(Step.PRIORITIES) or []),
    }


def from_interview(interview: Interview) -> Draft:
    """A draft holding a saved interview, for editing it with the same conversation."""

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    draft: Draft = {
        Step.COMPANY: interview.company,
        Step.POSITION: interview.position,
        Step.CONTACT: interview.contact_name,
        Step.CHANNEL: interview.channel,
        Step.ADDRESS: interview.contact_address,
        Step.LAST_STAGE: iso(interview.last_stage_on),
        Step.ALL_DONE: interview.all_stages_done,
        Step.NEXT_STAGE: iso(interview.next_stage_on),
        Step.OUTCOME: interview.outcome,
        Step.TONE: interview.rejection_tone,
        Step.RESULT_ON: iso(interview.result_on),
        Step.LAST_CONTACT: iso(interview.last_contact_on),
        Step.PRIORITIES: list(interview.priorities or []),
    }
    return normalize({str(key): value for key, value in draft.items()})
