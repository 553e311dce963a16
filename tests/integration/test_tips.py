"""/tips: the seed's advice, section by section, in both languages."""

from __future__ import annotations

from tests.harness import BotApp


async def test_tips_walk_through_every_section_in_one_message(app: BotApp) -> None:
    anna = app.person()  # advice needs no consent: nothing is stored
    await anna.send("/tips")
    message = anna.last
    assert (message.text or "").startswith("⏱ Когда просить · 1/5")
    assert "через 3–5 дней после последнего контакта" in (message.text or "")
    titles = []
    while True:
        titles.append((message.text or "").split(" · ")[0])
        forward = [b for b in anna.buttons(message) if b.endswith("▶")]
        if not forward:
            break
        await anna.press(forward[0], message_id=message.message_id)
    assert titles == [
        "⏱ Когда просить",
        "💬 Как воспринимать обратную связь",
        "📈 Что с ней делать",
        "🤐 Если обратную связь не дают",
        "🇷🇺 Российский рынок",
    ]
    assert len(app.fake.bot_messages(anna.chat_id)) == 1  # edited in place
    await anna.press("◀ 🤐 Если обратную связь не дают", message_id=message.message_id)
    assert "Не настаивайте" in (message.text or "")


async def test_tips_in_english(app: BotApp) -> None:
    john = app.person(2, first_name="John", language_code="en")
    await john.send("/tips")
    assert (john.last.text or "").startswith("⏱ When to ask · 1/5")
