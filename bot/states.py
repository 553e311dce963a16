"""Conversation states. Stored in the FSM storage, so they survive restarts."""

from aiogram.fsm.state import State, StatesGroup


class Onboarding(StatesGroup):
    signature = State()
    gender = State()
    timezone = State()


class SettingsInput(StatesGroup):
    signature = State()
    timezone = State()
    quiet_hours = State()
