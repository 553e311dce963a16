"""aiogram's keyboard builders, without the deep copy of every button at the end.

``as_markup()`` exports the builder's rows with ``copy.deepcopy``, which for pydantic buttons
cost about a tenth of the CPU of a whole update (measured with ``scripts/bench.py
--profile``). A builder here is made, filled and turned into markup once, so its rows are
handed over as they are (each row list copied, the buttons shared).
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, KeyboardButton
from aiogram.utils import keyboard


class InlineKeyboardBuilder(keyboard.InlineKeyboardBuilder):
    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


class ReplyKeyboardBuilder(keyboard.ReplyKeyboardBuilder):
    def export(self) -> list[list[KeyboardButton]]:
        return [list(row) for row in self._markup]
