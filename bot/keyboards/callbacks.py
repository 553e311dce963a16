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
