"""Callback data: short, ids and enum keys only; never personal data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ConsentCb(CallbackData, prefix="consent"):
    action: str  # accept | decline | lang
    lang: str


class OnboardingCb(CallbackData, prefix="onb"):
    step: str  # sig | gender | tz
    value: str


class SettingsCb(CallbackData, prefix="set"):
    action: str  # menu | lang | sig | gender | tz | quiet | close
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
    id: int = 0
    page: int = 0
    archived: bool = False


class DraftCb(CallbackData, prefix="dr"):
    action: str  # show | tone | lang | sent
    id: int
    value: str = ""
    kind: str = ""  # a draft asked for by name (a clarifying question); else the rules decide


class ReminderCb(CallbackData, prefix="nu"):
    """A button on a delivered reminder or in /reminders."""

    action: str  # snooze | done | stop | yes | no | declined | outcome | cancel
    id: int
    value: str = ""


class RemindCb(CallbackData, prefix="rm"):
    """«Remind me then / later» for an interview."""

    action: str  # then | later | at
    id: int
    value: str = ""


class PrivacyCb(CallbackData, prefix="pv"):
    action: str  # export | delete | keep | confirm


class JournalCb(CallbackData, prefix="jr"):
    """Journal buttons: ``id`` is an interview id (start, list) or an entry id (edit, delete)."""

    action: str  # start | done | none | declined | cancel | area | areas_done | mood | reflect
    #              | list | remove | confirm
    id: int = 0
    value: str = ""


class PlanCb(CallbackData, prefix="pl"):
    area: str
    step: str


class TipsCb(CallbackData, prefix="tp"):
    page: int
