"""Logs never carry what people typed: texts, names, companies, addresses."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.middlewares.logging import CHATTY_LOGGERS, quiet_chatty_loggers
from tests.clock import FakeClock
from tests.harness import running_app

SECRETS = (
    "Ариадна",
    "Сильверстова",
    "ООО Ромашка-Секрет",
    "Ведущий алхимик",
    "Евлампия",
    "hr.secret@romashka.example",
    "Стоит подтянуть алхимию",
)


async def test_a_full_conversation_leaves_no_personal_data_in_logs(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    quiet_chatty_loggers()  # as the bot's start-up does, with LOG_LEVEL=DEBUG
    try:
        await converse(sessionmaker, clock, caplog)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def converse(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with running_app(sessionmaker, clock) as app:
        person = app.person(first_name="Ариадна", last_name="Сильверстова")
        await person.send("/start")
        await person.press(person.buttons()[0])
        await person.send("Ариадна Сильверстова")
        await person.press("Женский род: «была бы признательна»")
        await person.send("Europe/Moscow")
        await person.send("/new")
        await person.send("ООО Ромашка-Секрет")
        await person.send("Ведущий алхимик")
        await person.send("Евлампия")
        await person.press("Почта")
        await person.send("hr.secret@romashka.example")
        await person.press("Вчера")
        await person.press("Да, это был финальный этап")
        await person.press("❌ Отказ")
        await person.press("Вежливый")
        await person.press("Сегодня")
        await person.press("Готово →")
        await person.press("✅ Сохранить")
        await person.press("📝 Показать черновик")
        await person.press("✅ Отправлено")
        await person.send("/feedback")
        await person.send("Стоит подтянуть алхимию")
        await person.press("✅ Готово")
        await person.press("Готово →")
        await person.press("🛠 Конструктивная")
        await person.send("/export")

    assert "✅ Сохранено: ООО Ромашка-Секрет" in "\n".join(
        m.text or "" for m in app.fake.bot_messages(person.chat_id)
    )  # the data went through the bot…
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "update=" in logged
    for secret in SECRETS:  # …but not into its logs
        assert secret not in logged, secret
