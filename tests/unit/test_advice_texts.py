"""Advice for a step whose best moment has passed speaks of that step, not of «the request»."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.timing import Action, Reason, Recommendation
from bot.telegram.i18n import create_i18n
from bot.telegram.views.timing import recommendation_text

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def late_text(action: Action, reason: Reason, language: str) -> str:
    rec = Recommendation(action, reason, NOW, NOW, overdue=True)
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(language):
        return recommendation_text(rec, NOW, "Europe/Moscow")


@pytest.mark.parametrize(
    ("action", "reason", "language", "says", "never"),
    [
        (Action.THANKS_OFFER, Reason.OFFER, "ru", "благодарность уместна всегда", "запрос"),
        (Action.THANKS_OFFER, Reason.OFFER, "en", "a thank-you is always welcome", "request"),
        (Action.FOLLOW_UP, Reason.NO_REPLY, "ru", "момент для повторного письма", "запрос"),
        (Action.FOLLOW_UP, Reason.NO_REPLY, "en", "moment for a follow-up", "request"),
        (Action.REQUEST, Reason.AFTER_FINAL_STAGE, "ru", "Вопрос о статусе", "запрос"),
        (Action.REQUEST, Reason.SILENCE, "en", "Asking where things stand", "request"),
        (Action.REQUEST, Reason.SAME_DAY, "ru", "Даже поздний запрос", "статус"),
        (Action.REQUEST, Reason.HARSH_PAUSE, "en", "A late request", "thank-you"),
    ],
)
def test_late_advice_follows_the_action(
    action: Action, reason: Reason, language: str, says: str, never: str
) -> None:
    text = late_text(action, reason, language)
    assert text.startswith("⏰")
    assert says in text
    assert never not in text
