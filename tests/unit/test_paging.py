"""Pages of a growing list: every item on exactly one page, a page out of range moved in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.paging import Paged, window


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [
        (0, 0, (0, 1, 0)),  # an empty list still has its one page
        (5, 0, (0, 1, 0)),
        (6, 1, (1, 2, 5)),
        (60, 11, (11, 12, 55)),
        (60, 12, (11, 12, 55)),  # past the end (entries deleted since): the last page
        (60, -3, (0, 12, 0)),
        (59, 2**40, (11, 12, 55)),
    ],
)
def test_window(total: int, page: int, expected: tuple[int, int, int]) -> None:
    at = window(total, page, 5)
    assert (at.page, at.pages, at.offset) == expected


@given(total=st.integers(0, 500), size=st.integers(1, 20))
def test_every_item_is_on_exactly_one_page(total: int, size: int) -> None:
    pages = window(total, 0, size).pages
    shown = []
    for page in range(pages):
        at = window(total, page, size)
        assert at.page == page
        shown += list(range(total))[at.offset : at.offset + size]
        assert len(shown) <= total
    assert shown == list(range(total))


def test_paged_keeps_its_place() -> None:
    listed = Paged.of(["c", "d"], window(4, 1, 2))
    assert (listed.items, listed.page, listed.pages, listed.total, listed.offset) == (
        ["c", "d"],
        1,
        2,
        4,
        2,
    )
