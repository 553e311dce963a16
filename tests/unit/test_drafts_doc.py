"""docs/drafts.md shows the drafts the templates render today."""

from __future__ import annotations

from bot.drafting.render import Kind
from scripts.render_drafts import DOC, KINDS, render_page


def test_the_drafts_page_is_up_to_date() -> None:
    page = render_page()
    assert DOC.read_text(encoding="utf-8") == page, "docs/drafts.md is stale: run `make drafts`"


def test_the_page_shows_every_kind_in_both_languages() -> None:
    page = render_page()
    assert {kind for kind, *_rest in KINDS} == set(Kind)
    for heading in ("#### Russian", "#### English"):
        assert page.count(heading) == sum(len(situations) for *_rest, situations in KINDS)
    for label in ("email · formal · masculine", "chat · neutral · neutral wording"):
        assert label in page
