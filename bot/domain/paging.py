"""Pages of a list that grows with the person's history (interviews, journal entries,
reminders): a screen shows one page, so it stays within Telegram's limits however long the
list gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Window:
    """Where a page sits in a list of ``total`` items."""

    page: int
    """Counted from 0; a page past either end is moved to the nearest one."""
    pages: int
    """At least 1, even for an empty list."""
    total: int
    offset: int
    size: int


def window(total: int, page: int, size: int) -> Window:
    """Page ``page`` of ``total`` items, ``size`` a page (a list shrunk since the button was
    drawn shows its last page)."""
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    return Window(page, pages, total, page * size, size)


@dataclass(frozen=True, slots=True)
class Paged(Generic[Item]):
    """One page of a list with its place in the whole."""

    items: list[Item]
    page: int
    pages: int
    total: int
    offset: int
    """How many items of the whole come before this page's first."""

    @classmethod
    def of(cls, items: list[Item], at: Window) -> Paged[Item]:
        return cls(items, at.page, at.pages, at.total, at.offset)
