"""Filters shared by the routers."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import BaseFilter
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.telegram.i18n import translations


class TextIn(BaseFilter):
    """A reply-keyboard button, matched in every interface language."""

    def __init__(self, *msgids: str) -> None:
        self._msgids = msgids

    def texts(self, i18n: I18n) -> frozenset[str]:
        """Every text that matches, in every interface language."""
        return frozenset().union(*(translations(i18n, msgid) for msgid in self._msgids))

    async def __call__(self, message: Message, i18n: I18n, **_: Any) -> bool:
        if not message.text:
            return False
        return any(message.text in translations(i18n, msgid) for msgid in self._msgids)


NOT_COMMAND = ~F.text.startswith("/")
"""Anything but a command: commands keep working in the middle of a conversation."""
