"""Keep the garbage collector's full passes short in a long-running bot."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move what start-up loaded out of the collector's reach.

    Modules, pydantic schemas, SQLAlchemy mappers, templates and translations live as long as
    the process, yet every full collection walks them all: several hundred milliseconds in
    which no update is handled (``scripts/bench.py`` shows the pauses). Called once the bot is
    wired, before it takes updates; objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()
