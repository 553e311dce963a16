"""Callback data: short, ids and enum keys only; never personal data."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A row id as the database keeps it (INTEGER: 32 bits on PostgreSQL; 0 stands for none) and a
# page number. A forged value out of range fails the button's filter like any malformed
# data, so it never reaches a query (SQLite would raise OverflowError past 2**63) and the
# press gets the fallback's «no longer active» answer.
Id = Annotated[int, Field(ge=0, le=2**31 - 1)]
Page = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ConsentCb(CallbackData, prefix="consent"):
    action: str  # accept | decline | lang
    lang: str


class OnboardingCb(CallbackData, prefix="onb"):
    step: str  # sig | gender | tz
    value: str


class SettingsCb(CallbackData, prefix="set"):
    action: str  # menu | lang | sig | gender | tz | cal | quiet | close
    value: str = ""


class IntakeCb(CallbackData, prefix="in"):
    """A button of the new-interview conversation; ``token`` ties it to one draft."""

    token: str
    step: str
    # pick | skip | keep | back | cancel | toggle | done | date | other | save | edit | field
    action: str
    value: str = ""


class InterviewCb(CallbackData, prefix="iv"):
    action: str  # list | open | edit | outcome | archive | unarchive | delete | confirm
    id: Id = 0
    page: Page = 0
    archived: bool = False


class DraftCb(CallbackData, prefix="dr"):
    action: str  # show | tone | lang | sent
    id: Id
    value: str = ""
    kind: str = ""  # a draft asked for by name (a clarifying question); else the rules decide


class ReminderCb(CallbackData, prefix="nu"):
    """A button on a delivered reminder or in /reminders."""

    action: str  # snooze | done | stop | yes | no | declined | outcome | move | cancel | list
    id: Id
    value: str = ""  # move, cancel, list: the page of /reminders (see JournalCb)


class RemindCb(CallbackData, prefix="rm"):
    """«Remind me then / later» for an interview."""

    action: str  # then | later | at
    id: Id
    value: str = ""


class PrivacyCb(CallbackData, prefix="pv"):
    action: str  # export | delete | keep | confirm


class JournalCb(CallbackData, prefix="jr"):
    """Journal buttons: ``id`` is an interview id (start, list) or an entry id (edit, delete)."""

    action: str  # start | done | none | declined | cancel | area | areas_done | mood | reflect
    #              | list | edit | remove | confirm
    id: Id = 0
    value: str = ""  # list, edit, remove, confirm: the page of the journal the button was on
    # (not a field of its own: one more field makes the buttons already sent unreadable)


class PlanCb(CallbackData, prefix="pl"):
    area: str
    step: str


class TipsCb(CallbackData, prefix="tp"):
    page: Page
