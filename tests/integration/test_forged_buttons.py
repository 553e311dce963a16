"""A forged button with an id or page out of range is a stale button: no error, no traceback."""

from __future__ import annotations

import logging

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.telegram.keyboards.callbacks import (
    DraftCb,
    InterviewCb,
    JournalCb,
    RemindCb,
    ReminderCb,
    TipsCb,
)
from tests.harness import BotApp

STALE = {"ru": "Эта кнопка уже не действует.", "en": "This button is no longer active."}
# Past SQLite's 64 bits (2**63, 2**64, 10**30) and below zero.
OUT_OF_RANGE = (str(2**63), str(2**64), "-1", str(10**30))
# Every action of every button that carries an id or a page.
ACTIONS: dict[type[CallbackData], str] = {
    InterviewCb: "list open edit outcome archive unarchive delete confirm",
    DraftCb: "show tone lang sent",
    ReminderCb: "snooze done stop yes no declined outcome move cancel list",
    RemindCb: "then later at",
    JournalCb: "start done none declined cancel area areas_done mood reflect list edit remove "
    "confirm",
    TipsCb: "",
}


def forgeries() -> list[str]:
    """Callback data of every button above, each of its int fields in turn out of range."""
    forged = []
    for cls, actions in ACTIONS.items():
        fields = list(cls.model_fields)
        numbers = [name for name in fields if cls.model_fields[name].annotation is int]
        assert numbers, cls
        for action in actions.split() or [""]:
            valid = dict.fromkeys(numbers, 0) | ({"action": action} if action else {})
            parts = cls(**valid).pack().split(":")
            for number in numbers:
                for value in OUT_OF_RANGE:
                    at = 1 + fields.index(number)
                    forged.append(":".join([*parts[:at], value, *parts[at + 1 :]]))
    return forged


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_out_of_range_ids_get_the_stale_button_answer(
    app: BotApp, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    person = await app.person(language_code=language).onboarded()
    listing = (await person.send("/list"))[0]
    caplog.set_level(logging.INFO)
    forged = forgeries()
    assert "iv:open:9223372036854775808:0:0" in forged

    for data in forged:
        answered = len(app.fake.callback_answers)
        replies = await person.press_data(listing.message_id, data, forge=True)

        assert replies == [], data
        assert [a.text for a in app.fake.callback_answers[answered:]] == [STALE[language]], data
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert not listing.edited
