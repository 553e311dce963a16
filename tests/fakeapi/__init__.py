"""A faithful fake of the Telegram Bot API for tests and benchmarks.

Layers:

* :mod:`tests.fakeapi.core` — :class:`FakeTelegram`, the state and the Bot API methods;
* :mod:`tests.fakeapi.server` — :class:`FakeBotAPIServer`, the same over real HTTP;
* :mod:`tests.fakeapi.session` — :class:`FakeSession` / :func:`make_bot`, in-process aiogram.
"""

from typing import TYPE_CHECKING, Any

from .core import (
    ApiError,
    CallbackAnswer,
    CallRecord,
    ChatActionRecord,
    FakeFile,
    FakeTelegram,
    FakeUser,
    InlineAnswer,
    MessageVersion,
    SentMessage,
    Webhook,
)
from .formatting import EntityParseError, entity_text, parse_html, utf16_len
from .server import FakeBotAPIServer

if TYPE_CHECKING:
    from .session import FakeSession, make_bot

__all__ = [
    "ApiError",
    "CallRecord",
    "CallbackAnswer",
    "ChatActionRecord",
    "EntityParseError",
    "FakeBotAPIServer",
    "FakeFile",
    "FakeSession",
    "FakeTelegram",
    "FakeUser",
    "InlineAnswer",
    "MessageVersion",
    "SentMessage",
    "Webhook",
    "entity_text",
    "make_bot",
    "parse_html",
    "utf16_len",
]


def __getattr__(name: str) -> Any:
    # The session layer imports aiogram (slow); load it only when asked for.
    if name in {"FakeSession", "make_bot"}:
        from . import session  # noqa: PLC0415

        return getattr(session, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
