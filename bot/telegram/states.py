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


class Intake(StatesGroup):
    """The new-interview conversation: one state per step, then the summary."""

    company = State()
    position = State()
    contact = State()
    channel = State()
    address = State()
    last_stage = State()
    all_done = State()
    next_stage = State()
    outcome = State()
    tone = State()
    result_on = State()
    last_contact = State()
    priorities = State()
    summary = State()
    fields = State()


class Journal(StatesGroup):
    text = State()
    areas = State()
    mood = State()
    reflect = State()
