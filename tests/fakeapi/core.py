"""Transport-independent fake of the Telegram Bot API.

``FakeTelegram`` keeps the state of one bot (chats, messages, updates, commands, files...)
and answers Bot API methods exactly in Telegram's JSON format through :meth:`FakeTelegram.call`
(or :meth:`FakeTelegram.call_async`, which adds long polling to ``getUpdates``).  Tests act as
Telegram users through :meth:`FakeTelegram.user` / :meth:`FakeTelegram.send_text` /
:meth:`FakeTelegram.press` ... and inspect what the bot did with :meth:`FakeTelegram.messages`,
:attr:`FakeTelegram.calls` and friends.  Everything runs in one asyncio event loop.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import math
import mimetypes
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, cast

from .formatting import (
    EntityParseError,
    FormattedText,
    entity_text,
    finalize_text,
    normalize_entities,
    parse_html,
    utf16_len,
)

_ATOMS: Final = (str, int, float, bool, type(None))
_T = TypeVar("_T")


def _copy(value: _T) -> _T:
    """A deep copy of JSON-shaped data, several times faster than :func:`copy.deepcopy`
    (no memo: JSON has no shared references); anything else is deep-copied as usual."""
    return cast("_T", _copy_json(value))


def _copy_json(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


__all__ = [
    "ApiError",
    "CallRecord",
    "CallbackAnswer",
    "ChatActionRecord",
    "FakeFile",
    "FakeTelegram",
    "FakeUser",
    "InlineAnswer",
    "MessageVersion",
    "RateLimits",
    "SentMessage",
    "Webhook",
]

JSONDict = dict[str, Any]
Files = dict[str, tuple[str, bytes]]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
MAX_DOCUMENT_BYTES: Final = 50 * 1024 * 1024
DELETE_WINDOW_SECONDS: Final = 48 * 3600

NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a specified content and reply markup of the message"
)
QUERY_TOO_OLD: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
WEBHOOK_CONFLICT: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BLOCKED: Final = "Forbidden: bot was blocked by the user"
SEND_METHODS: Final = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "forwardmessage",
        "copymessage",
    }
)
"""Methods that post a message: the ones Telegram's flood limits count (lower-case)."""

_DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_FIELDS = frozenset({"text", "style", "icon_custom_emoji_id", *_BUTTON_ACTIONS})
_KEYBOARD_BUTTON_FIELDS = frozenset(
    {
        "text",
        "style",
        "icon_custom_emoji_id",
        "request_users",
        "request_chat",
        "request_contact",
        "request_location",
        "request_poll",
        "web_app",
    }
)
_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})

# How parameters that arrive as strings (forms, query strings) are decoded.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "results",
        "allowed_updates",
        "menu_button",
        "button",
        "media",
        "message_ids",
        "options",
        "permissions",
        "reaction",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "until_date",
        "duration",
        "width",
        "height",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "is_personal",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "for_channels",
        "revoke_messages",
    }
)
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "description",
        "short_description",
        "name",
        "title",
        "url",
        "callback_query_id",
        "inline_query_id",
        "secret_token",
        "next_offset",
        "file_id",
        "parse_mode",
        "action",
        "language_code",
        "document",
        "photo",
        "sticker",
    }
)
_TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
_FALSE_STRINGS = frozenset({"false", "0", "no", "off", ""})
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
_PHOTO_SIDES = (90, 320, 800, 1280)
_TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
_RECENT_CALLS_IN_ERRORS: Final = 15


class ApiError(Exception):
    """A Bot API error; becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: JSONDict | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


# ---------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Telegram user that the test plays.  Helper methods act on the owning fake."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    fake: FakeTelegram | None = field(default=None, repr=False, compare=False)

    @property
    def chat_id(self) -> int:
        """Id of the private chat with the bot (equals the user id)."""
        return self.id

    def to_dict(self) -> JSONDict:
        """The ``User`` object as Telegram sends it in updates."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data

    def chat_dict(self) -> JSONDict:
        """The private ``Chat`` object for this user."""
        data: JSONDict = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["type"] = "private"
        return data

    def _owner(self) -> FakeTelegram:
        if self.fake is None:
            msg = "this FakeUser is not attached to a FakeTelegram; use FakeTelegram.user()"
            raise RuntimeError(msg)
        return self.fake

    def send_text(self, text: str) -> JSONDict:
        return self._owner().send_text(self, text)

    def press(self, message_id: int, callback_data: str, *, forge: bool = False) -> JSONDict:
        return self._owner().press(self, message_id, callback_data, forge=forge)

    def press_button(self, text: str, message_id: int | None = None) -> JSONDict:
        return self._owner().press_button(self, text, message_id)


@dataclass
class MessageVersion:
    """A previous state of an edited message."""

    data: JSONDict
    html: str | None
    edit_date: int | None

    @property
    def text(self) -> str | None:
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def reply_markup(self) -> JSONDict | None:
        markup = self.data.get("reply_markup")
        return markup if isinstance(markup, dict) else None


@dataclass
class SentMessage:
    """A message in a chat (sent by the bot or by a user) with its current state.

    ``data`` is the ``Message`` object exactly as the API returns it now.  ``html`` is the
    raw text/caption the bot passed (before parse_mode processing).  The object is live: it
    changes when the message is edited or deleted.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    data: JSONDict
    html: str | None = None
    parse_mode: str | None = None
    sent_reply_markup: JSONDict | None = None
    params: JSONDict = field(default_factory=dict)
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)

    @property
    def text(self) -> str | None:
        """Plain text (or caption) after entity parsing."""
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def entities(self) -> list[JSONDict]:
        value = self.data.get("entities", self.data.get("caption_entities", []))
        return list(value) if isinstance(value, list) else []

    @property
    def date(self) -> int:
        return int(self.data["date"])

    @property
    def edit_date(self) -> int | None:
        value = self.data.get("edit_date")
        return int(value) if value is not None else None

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def kind(self) -> str:
        for key in ("text", "document", "photo", "sticker", "video", "voice", "audio"):
            if key in self.data:
                return key
        return "other"

    @property
    def reply_markup(self) -> JSONDict | None:
        """Current inline keyboard (as in the Message object), or None."""
        markup = self.data.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[list[JSONDict]]:
        markup = self.reply_markup
        if markup is None:
            return []
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[list[str]]:
        return [[str(button["text"]) for button in row] for row in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        return [
            str(button["callback_data"])
            for row in self.buttons
            for button in row
            if "callback_data" in button
        ]

    def button(self, text: str) -> JSONDict:
        """The inline button with exactly this visible text."""
        for row in self.buttons:
            for button in row:
                if button.get("text") == text:
                    return dict(button)
        msg = f"no button {text!r} on message {self.message_id}; buttons: {self.button_texts}"
        raise LookupError(msg)

    def entity_texts(self, entity_type: str) -> list[str]:
        """Texts covered by entities of the given type, e.g. ``entity_texts("bold")``."""
        text = self.text or ""
        return [entity_text(text, e) for e in self.entities if e.get("type") == entity_type]


@dataclass
class FakeFile:
    file_id: str
    file_unique_id: str
    kind: str
    file_name: str | None
    mime_type: str | None
    content: bytes
    file_path: str
    chat_id: int | None = None
    message_id: int | None = None
    uploaded_by_bot: bool = False

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass
class CallRecord:
    """One Bot API request as the fake saw it (params decoded) and how it answered."""

    method: str
    params: JSONDict
    files: Files
    status: int
    response: JSONDict
    at: datetime

    @property
    def ok(self) -> bool:
        return self.status == 200

    def describe(self) -> str:
        shown = {k: v for k, v in self.params.items() if k not in {"reply_markup", "results"}}
        text = ", ".join(f"{k}={v!r}"[:80] for k, v in shown.items())
        outcome = "ok" if self.ok else self.response.get("description", "")
        return f"{self.method}({text}) -> {self.status} {outcome}"


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None


@dataclass
class InlineAnswer:
    inline_query_id: str
    query: str
    user_id: int
    results: list[JSONDict]
    cache_time: int
    is_personal: bool
    next_offset: str | None
    button: JSONDict | None


@dataclass
class ChatActionRecord:
    chat_id: int
    action: str
    at: datetime


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None
    has_custom_certificate: bool


@dataclass
class _Fault:
    method: str
    error_code: int
    description: str
    parameters: JSONDict | None
    remaining: int
    chat_id: int | None


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits, enforced when given as ``FakeTelegram(rate_limit=...)``.

    Telegram documents about 30 messages a second overall and one a second per chat. Here they
    are sliding windows: a rate ``r`` (per second) allows ``round(r * w)`` successful sends in
    any window of ``w = max(1, 1 / r)`` seconds, so 30 means at most 30 in any second and 0.2
    means one every 5 s. A send past a limit is answered like Telegram does, ``429 Too Many
    Requests: retry after N`` with ``parameters.retry_after = N``, and changes nothing;
    rejected and failed sends (403, 400...) do not use up the allowance. ``None`` disables a
    limit. Only ``methods`` (lower-case Bot API names, default: the methods that post a
    message) are counted; the chat is the request's ``chat_id`` as given.

    ``clock`` gives seconds (monotonic by default); tests inject one they move by hand, or
    follow the fake's datetime clock with ``lambda: fake.clock().timestamp()``.
    ``retry_after`` fixes N; by default it is the whole seconds until the send would pass
    (at least 1), as the real server's hint.

    ``paid_per_second`` is the paid-broadcast allowance: a send with ``allow_paid_broadcast``
    counts against it instead of ``global_per_second`` (Telegram allows up to 1,000 a second
    to bots that pay in Stars). ``None`` (the default): the flag changes nothing.
    """

    global_per_second: float | None = 30.0
    per_chat_per_second: float | None = 1.0
    paid_per_second: float | None = None
    methods: frozenset[str] = SEND_METHODS
    clock: Callable[[], float] = time.monotonic
    retry_after: int | None = None

    def __post_init__(self) -> None:
        for name in ("global_per_second", "per_chat_per_second", "paid_per_second"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                msg = f"{name} must be positive or None, not {value!r}"
                raise ValueError(msg)
        if self.retry_after is not None and self.retry_after < 1:
            msg = f"retry_after must be at least 1, not {self.retry_after!r}"
            raise ValueError(msg)
        object.__setattr__(self, "methods", frozenset(m.lower() for m in self.methods))


_RATE_TOLERANCE: Final = 1e-6
"""Seconds of slack for float rounding (a sender stepping by 1/30 s lands a hair early)."""


class _Window:
    """At most ``capacity`` events in any ``seconds`` (a sliding window)."""

    def __init__(self, per_second: float) -> None:
        self.seconds = max(1.0, 1.0 / per_second)
        self.capacity = max(1, round(per_second * self.seconds))
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        events = self.events
        while events and events[0] <= now - self.seconds + _RATE_TOLERANCE:
            events.popleft()
        if len(events) < self.capacity:
            return 0.0
        return events[0] + self.seconds - now

    def add(self, now: float) -> None:
        self.events.append(now)


class _RateState:
    """The windows of one :class:`RateLimits` (global and per chat)."""

    _PRUNE_AT: Final = 4096

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.overall = (
            _Window(limits.global_per_second) if limits.global_per_second is not None else None
        )
        self.paid = _Window(limits.paid_per_second) if limits.paid_per_second is not None else None
        self.chats: dict[object, _Window] = {}
        self._prune_at = self._PRUNE_AT

    def _overall_window(self, params: JSONDict) -> _Window | None:
        paid = params.get("allow_paid_broadcast") in {True, "true", "True", "1"}
        return self.paid if paid and self.paid is not None else self.overall

    def _chat_window(self, chat: object) -> _Window | None:
        per_chat = self.limits.per_chat_per_second
        if per_chat is None:
            return None
        window = self.chats.get(chat)
        if window is None:
            window = self.chats[chat] = _Window(per_chat)
        return window

    def check(self, method: str, params: JSONDict) -> None:
        """Raise the 429 Telegram would give if this send went out now."""
        if method.lower() not in self.limits.methods:
            return
        now = self.limits.clock()
        chat = self._chat_window(params.get("chat_id"))
        overall = self._overall_window(params)
        wait = max(
            overall.wait(now) if overall is not None else 0.0,
            chat.wait(now) if chat is not None else 0.0,
        )
        if wait <= 0:
            return
        retry_after = self.limits.retry_after or max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def record(self, method: str, params: JSONDict) -> None:
        """Count a send that went out."""
        if method.lower() not in self.limits.methods:
            return
        now = self.limits.clock()
        overall = self._overall_window(params)
        if overall is not None:
            overall.add(now)
        chat = self._chat_window(params.get("chat_id"))
        if chat is not None:
            chat.add(now)
            if len(self.chats) > self._prune_at:
                self.chats = {
                    key: window for key, window in self.chats.items() if window.wait(now) > 0
                }
                self._prune_at = max(self._PRUNE_AT, 2 * len(self.chats))


@dataclass
class _Chat:
    id: int
    type: str
    data: JSONDict
    user: FakeUser | None = None
    messages: dict[int, SentMessage] = field(default_factory=dict)
    last_message_id: int = 0
    reply_keyboard: JSONDict | None = None
    last_reply_markup: JSONDict | None = None
    blocked: bool = False
    started: bool = False

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False


@dataclass
class _InlineQuery:
    id: str
    user_id: int
    query: str
    answered: bool = False


class _Params:
    """Typed access to decoded request parameters; raises Telegram-style errors."""

    def __init__(self, values: JSONDict, files: Files) -> None:
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise _bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise _bad_request(f'field "{name}" must be of type String')
        if required and not value:
            raise _bad_request(f"{name} is empty")
        return value

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise _bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise _bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise _bad_request(f'field "{name}" must be of type Integer')

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in _TRUE_STRINGS | _FALSE_STRINGS:
            return value.lower() in _TRUE_STRINGS
        raise _bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError as error:
                raise _bad_request(f"can't parse {name} JSON object") from error
        return value


def _decode_params(params: dict[str, Any]) -> JSONDict:
    """Decode form values (all strings) into JSON types the way the Bot API reads them."""
    decoded: JSONDict = {}
    for key, value in params.items():
        if not isinstance(value, str):
            decoded[key] = value
            continue
        stripped = value.strip()
        if key in _JSON_FIELDS or (
            key not in _STRING_FIELDS and stripped[:1] in {"{", "["} and stripped[-1:] in {"}", "]"}
        ):
            try:
                decoded[key] = json.loads(stripped)
            except ValueError:
                decoded[key] = value
            continue
        if key in _INT_FIELDS:
            try:
                decoded[key] = int(stripped)
            except ValueError:
                decoded[key] = value
            continue
        if key in _BOOL_FIELDS and stripped.lower() in _TRUE_STRINGS | _FALSE_STRINGS:
            decoded[key] = stripped.lower() in _TRUE_STRINGS
            continue
        decoded[key] = value
    return decoded


def _default_clock() -> datetime:
    return datetime.now(UTC)


def _png_size(content: bytes) -> tuple[int, int] | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return None


def _is_image(content: bytes) -> bool:
    if content.startswith(_IMAGE_MAGIC):
        return True
    return content[:4] == b"RIFF" and content[8:12] == b"WEBP"


# ---------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------


class FakeTelegram:
    """State and methods of a fake Bot API server for a single bot token."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "feedback_test_bot",
        clock: Callable[[], datetime] | None = None,
        bot_first_name: str = "Feedback Test Bot",
        strict_ampersand: bool = True,
        check_webhook_url: bool = True,
        first_update_id: int = 1,
        rate_limit: RateLimits | None = None,
    ) -> None:
        """``first_update_id``: Telegram's ids only grow for a bot, across restarts too; a test
        that replaces the fake mid-story starts the new one past the old ids.

        ``rate_limit``: enforce Telegram's flood limits (see :class:`RateLimits`); off by
        default, so sends are never throttled unless a test asks for it."""
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock: Callable[[], datetime] = clock or _default_clock
        self.strict_ampersand = strict_ampersand
        """Reject a bare ``&`` in HTML (docs: must be escaped; real Telegram tolerates it)."""
        self.check_webhook_url = check_webhook_url
        """Require https and ports 80/88/443/8443 for webhooks, like Telegram."""
        self.supports_inline_queries = True

        self.calls: list[CallRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        """Bot commands by (scope key, language_code); scope key e.g. "default", "chat:42"."""
        self.documents: list[FakeFile] = []
        self.photos: list[FakeFile] = []
        self.files: dict[str, FakeFile] = {}
        self.chat_actions: list[ChatActionRecord] = []
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        """setMyName/Description/ShortDescription values by (kind, language_code)."""
        self.webhook: Webhook | None = None
        self.allowed_updates: list[str] | None = None

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._updates: list[JSONDict] = []
        self._last_update_id = first_update_id - 1
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._inline_queries: dict[str, _InlineQuery] = {}
        self._faults: list[_Fault] = []
        self._rate: _RateState | None = None
        self.rate_limit = rate_limit
        self.rate_limited = 0
        """How many calls were refused with 429 by :attr:`rate_limit` (not by ``fail_next``)."""
        self._file_counter = 0
        self._query_counter = 0
        self._waiters: set[asyncio.Event] = set()
        self._version = 0
        self._poll_ticket: object | None = None
        self._poll_release = 0
        self._polls_waiting = 0

        self._methods: dict[str, tuple[str, Callable[[_Params], Any]]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("deleteMessages", self._delete_messages),
            ("forwardMessage", self._forward_message),
            ("copyMessage", self._copy_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("answerInlineQuery", self._answer_inline_query),
            ("sendChatAction", self._send_chat_action),
            ("sendDocument", self._send_document),
            ("sendPhoto", self._send_photo),
            ("getFile", self._get_file),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("setChatMenuButton", self._set_chat_menu_button),
            ("getChatMenuButton", self._get_chat_menu_button),
            ("setMyName", self._bot_text_setter("name", 64)),
            ("getMyName", self._bot_text_getter("name")),
            ("setMyDescription", self._bot_text_setter("description", 512)),
            ("getMyDescription", self._bot_text_getter("description")),
            ("setMyShortDescription", self._bot_text_setter("short_description", 120)),
            ("getMyShortDescription", self._bot_text_getter("short_description")),
        ):
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------
    # Generic plumbing
    # ------------------------------------------------------------------

    def now(self) -> int:
        """Current Unix time according to the clock."""
        return int(self.clock().timestamp())

    @property
    def rate_limit(self) -> RateLimits | None:
        """The enforced flood limits (None: unlimited). Setting it starts from empty windows."""
        return self._rate.limits if self._rate is not None else None

    @rate_limit.setter
    def rate_limit(self, limits: RateLimits | None) -> None:
        self._rate = _RateState(limits) if limits is not None else None

    @property
    def bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_for` (called on every state change)."""
        self._version += 1
        for event in self._waiters:
            event.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` is true; False if ``timeout`` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = asyncio.Event()
            self._waiters.add(event)
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(event)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10,
        *,
        message: str | None = None,
    ) -> None:
        """Wait (without polling) until ``predicate()`` holds; TimeoutError with context if not."""
        if await self.wait_until(predicate, timeout):
            return
        recent = "\n  ".join(call.describe() for call in self.calls[-_RECENT_CALLS_IN_ERRORS:])
        what = message or getattr(predicate, "__name__", "condition")
        text = (
            f"{what} not met within {timeout}s; pending updates: {len(self._updates)}, "
            f"getUpdates waiting: {self._polls_waiting}; recent Bot API calls:\n  "
            f"{recent or '(none)'}"
        )
        raise TimeoutError(text)

    def call(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        files: Files | None = None,
    ) -> tuple[int, JSONDict]:
        """Execute one Bot API method; returns (HTTP status, JSON body) exactly as Telegram."""
        record = self._call(token, method, params, files or {})
        return record.status, _copy(record.response)

    async def call_async(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        files: Files | None = None,
    ) -> tuple[int, JSONDict]:
        """Like :meth:`call`, but ``getUpdates`` with a ``timeout`` long-polls."""
        record = self._call(token, method, params, files or {})
        if record.method != "getUpdates" or record.status != 200 or record.response["result"]:
            return record.status, _copy(record.response)
        timeout = record.params.get("timeout")
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            return record.status, _copy(record.response)
        ticket = self._poll_ticket
        release = self._poll_release
        offset = record.params.get("offset")
        limit = self._clamp_limit(record.params.get("limit"))

        def ready() -> bool:
            return (
                self._poll_ticket is not ticket
                or self._poll_release != release
                or self.webhook is not None
                or bool(self._select_updates(offset, limit))
            )

        self._polls_waiting += 1
        self.notify()
        try:
            await self.wait_until(ready, float(timeout))
        finally:
            self._polls_waiting -= 1
            self.notify()
        if self._poll_ticket is not ticket:
            error = ApiError(409, POLL_CONFLICT)
            record.status, record.response = 409, error.body()
        else:
            self._poll_ticket = None
            record.response = {"ok": True, "result": self._select_updates(offset, limit)}
        self.notify()
        return record.status, _copy(record.response)

    def release_long_polls(self) -> None:
        """End waiting long polls with an empty result (used when a server stops)."""
        self._poll_release += 1
        self.notify()

    @property
    def polls_waiting(self) -> int:
        """How many getUpdates requests are currently long-polling."""
        return self._polls_waiting

    def is_idle(self) -> bool:
        """All updates confirmed by the bot and a getUpdates is waiting for more."""
        return not self._updates and self._polls_waiting > 0

    async def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until :meth:`is_idle`; returns False on timeout."""
        return await self.wait_until(self.is_idle, timeout)

    def _call(self, token: str, method: str, params: dict[str, Any], files: Files) -> CallRecord:
        decoded = _decode_params(params)
        entry = self._methods.get(method.lower())
        name = entry[0] if entry is not None else method
        record = CallRecord(name, decoded, dict(files), 0, {}, self.clock())
        try:
            result = self._execute(token, entry, name, decoded, files)
            record.status = 200
            if isinstance(result, tuple):
                record.response = {"ok": True, "result": result[0], "description": result[1]}
            else:
                record.response = {"ok": True, "result": result}
        except ApiError as error:
            record.status = error.error_code
            record.response = error.body()
        self.calls.append(record)
        self.notify()
        return record

    def _execute(
        self,
        token: str,
        entry: tuple[str, Callable[[_Params], Any]] | None,
        name: str,
        params: JSONDict,
        files: Files,
    ) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if entry is None:
            raise ApiError(404, "Not Found")
        self._check_faults(name, params)
        rate = self._rate
        if rate is None:
            return entry[1](_Params(params, files))
        try:
            rate.check(name, params)
        except ApiError:
            self.rate_limited += 1
            raise
        result = entry[1](_Params(params, files))
        rate.record(name, params)
        return result

    def calls_to(self, method: str) -> list[CallRecord]:
        """Recorded calls of one method (name case-insensitive)."""
        lowered = method.lower()
        return [call for call in self.calls if call.method.lower() == lowered]

    # ------------------------------------------------------------------
    # Fault injection
    # ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail without side effects.

        429 answers carry ``parameters.retry_after`` (default 1 s) and the description
        "Too Many Requests: retry after N".  ``chat_id`` limits the fault to one chat.
        """
        parameters: JSONDict | None = None
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                401: "Unauthorized",
                403: BLOCKED,
                404: "Not Found",
                409: POLL_CONFLICT,
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(error_code, f"Error {error_code}")
        self._faults.append(
            _Fault(method.lower(), error_code, description, parameters, times, chat_id),
        )

    def _check_faults(self, method: str, params: JSONDict) -> None:
        for fault in self._faults:
            if fault.method not in {"*", method.lower()}:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise ApiError(fault.error_code, fault.description, fault.parameters)

    # ------------------------------------------------------------------
    # Users and chats
    # ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Анна",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        started: bool = False,
    ) -> FakeUser:
        """Register a user, or update the profile of a known one (same object is returned).

        The bot may write to a user only after they wrote to it (``send_text`` etc.), as in
        Telegram; ``started=True`` pretends they already did.
        """
        user = self._users.get(user_id)
        if user is None:
            user = FakeUser(user_id, first_name, last_name, username, language_code, fake=self)
            self._users[user_id] = user
        else:
            user.first_name, user.last_name = first_name, last_name
            user.username, user.language_code = username, language_code
        chat = self._private_chat(user)
        chat.data = user.chat_dict()
        chat.started = chat.started or started
        return user

    def get_user(self, user_id: int) -> FakeUser:
        """A registered user (KeyError if unknown); unlike :meth:`user` it changes nothing."""
        return self._resolve_user(user_id)

    def add_group(self, chat_id: int, title: str, *, chat_type: str = "supergroup") -> None:
        """Register a group/supergroup/channel where the bot is a member and may post."""
        data: JSONDict = {"id": chat_id, "title": title, "type": chat_type}
        self._chats[chat_id] = _Chat(chat_id, chat_type, data, started=True)

    def _group(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            msg = f"no group {chat_id}; create it with fake.add_group({chat_id}, ...)"
            raise KeyError(msg)
        return chat

    def send_group_text(
        self, user: FakeUser | int, chat_id: int, text: str, *, reply_to: int | None = None
    ) -> JSONDict:
        """The user writes ``text`` in a group of :meth:`add_group` (``reply_to``: replying
        to that message of the group); returns the Update."""
        person = self._resolve_user(user)
        chat = self._group(chat_id)
        message_id = chat.next_message_id()
        data: JSONDict = {
            "message_id": message_id,
            "from": person.to_dict(),
            "chat": _copy(chat.data),
            "date": self.now(),
            **self._text_fields(self._user_text(text)),
        }
        if reply_to is not None:
            snapshot = _copy(chat.messages[reply_to].data)
            snapshot.pop("reply_to_message", None)
            data["reply_to_message"] = snapshot
        chat.messages[message_id] = SentMessage(chat.id, message_id, from_bot=False, data=data)
        return self.enqueue_update("message", data)

    def _resolve_user(self, user: FakeUser | int) -> FakeUser:
        if isinstance(user, FakeUser):
            return user
        if user not in self._users:
            msg = f"unknown user {user}; create it with fake.user({user})"
            raise KeyError(msg)
        return self._users[user]

    def _private_chat(self, user: FakeUser) -> _Chat:
        chat = self._chats.get(user.id)
        if chat is None:
            chat = _Chat(user.id, "private", user.chat_dict(), user=user)
            self._chats[user.id] = chat
        return chat

    @staticmethod
    def _chat_key(chat: FakeUser | int) -> int:
        return chat.id if isinstance(chat, FakeUser) else chat

    def _chat_for_bot(self, p: _Params, *, name: str = "chat_id") -> _Chat:
        """Resolve the chat a bot method targets, enforcing Telegram's access rules."""
        raw = p.raw(name)
        if raw is None or raw == "":
            raise _bad_request(f"{name} is empty")
        chat: _Chat | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat = self._chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            wanted = raw[1:].lower()
            chat = next(
                (
                    c
                    for c in self._chats.values()
                    if str(c.data.get("username", "")).lower() == wanted
                ),
                None,
            )
        if chat is None:
            if raw == self.bot_id:
                raise ApiError(403, "Forbidden: bots can't send messages to bots")
            raise _bad_request("chat not found")
        return chat

    def _writable_chat(self, p: _Params) -> _Chat:
        chat = self._chat_for_bot(p)
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, BLOCKED)
            if not chat.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    # ------------------------------------------------------------------
    # Updates
    # ------------------------------------------------------------------

    def _update_allowed(self, kind: str) -> bool:
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if allowed:
            return kind in allowed
        return kind not in _DEFAULT_UPDATE_TYPES_EXCLUDED

    def enqueue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Create an Update of the given kind (e.g. "message") and queue it for the bot.

        Like Telegram, an update type the bot didn't subscribe to via ``allowed_updates`` is
        not stored (it is still returned).
        """
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: _copy(payload)}
        if self._update_allowed(kind):
            self._updates.append(update)
        self.notify()
        return _copy(update)

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (delivered or not)."""
        return _copy(self._updates)

    @staticmethod
    def _clamp_limit(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            return 100
        return max(1, min(100, value))

    def _select_updates(self, offset: Any, limit: int) -> list[JSONDict]:
        first = offset if isinstance(offset, int) and offset > 0 else 0
        return _copy([u for u in self._updates if u["update_id"] >= first][:limit])

    def _get_updates(self, p: _Params) -> list[JSONDict]:
        offset = p.get_int("offset")
        limit = self._clamp_limit(p.get_int("limit"))
        p.get_int("timeout")
        allowed = p.get_json("allowed_updates")
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        self._poll_ticket = object()
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad_request("can't parse allowed_updates JSON object")
            self.allowed_updates = list(allowed) or None
        if offset:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            else:
                self._updates = self._updates[offset:]
        return self._select_updates(offset, limit)

    # ------------------------------------------------------------------
    # Webhook
    # ------------------------------------------------------------------

    def _set_webhook(self, p: _Params) -> tuple[bool, str]:
        url = p.get_str("url") or ""
        drop = p.get_bool("drop_pending_updates")
        if not url:
            return self._remove_webhook(drop)
        if self.check_webhook_url:
            if not url.lower().startswith("https://"):
                raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            host = url[len("https://") :].split("/", 1)[0]
            port_text = host.rsplit(":", 1)[1] if ":" in host else "443"
            if not port_text.isdigit() or int(port_text) not in _WEBHOOK_PORTS:
                raise _bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
                )
        secret = p.get_str("secret_token")
        if secret is not None and (
            not 1 <= len(secret) <= 256
            or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = p.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get_json("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise _bad_request("can't parse allowed_updates JSON object")
        new = Webhook(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=list(allowed) if allowed else None,
            ip_address=p.get_str("ip_address"),
            has_custom_certificate=p.has("certificate"),
        )
        same = self.webhook == new
        self.webhook = new
        if drop:
            self._updates.clear()
        self.notify()
        return True, "Webhook is already set" if same else "Webhook was set"

    def _remove_webhook(self, drop: bool) -> tuple[bool, str]:
        existed = self.webhook is not None
        self.webhook = None
        if drop:
            self._updates.clear()
        self.notify()
        return True, "Webhook was deleted" if existed else "Webhook is already deleted"

    def _delete_webhook(self, p: _Params) -> tuple[bool, str]:
        return self._remove_webhook(p.get_bool("drop_pending_updates"))

    def _get_webhook_info(self, p: _Params) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": bool(self.webhook and self.webhook.has_custom_certificate),
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self.webhook.allowed_updates:
                info["allowed_updates"] = list(self.webhook.allowed_updates)
        return info

    # ------------------------------------------------------------------
    # Text, markup and message helpers
    # ------------------------------------------------------------------

    def _format(
        self,
        text: str,
        parse_mode: str | None,
        raw_entities: Any,
        *,
        limit: int,
        empty_error: str | None,
        too_long_error: str,
    ) -> FormattedText:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise _bad_request("strings must be encoded in UTF-8") from error
        mode = (parse_mode or "").lower()
        if mode and mode not in {"html", "markdown", "markdownv2"}:
            raise _bad_request("unsupported parse_mode")
        try:
            if mode == "html":
                parsed = parse_html(
                    text,
                    strict_ampersand=self.strict_ampersand,
                    resolve_user=self._user_dict_or_none,
                )
            elif mode:
                parsed = self._parse_markdown(parse_mode or "")
            else:
                parsed = FormattedText(text, normalize_entities(text, raw_entities))
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from error
        formatted = finalize_text(parsed.text, parsed.entities)
        if not formatted.text and empty_error is not None:
            raise _bad_request(empty_error)
        # Telegram measures texts in UTF-16 code units, as its entity offsets: an emoji
        # outside the BMP counts twice (the stricter reading of «4096 characters»).
        if utf16_len(formatted.text) > limit:
            raise _bad_request(too_long_error)
        return formatted

    @staticmethod
    def _parse_markdown(parse_mode: str) -> FormattedText:
        msg = f"parse_mode {parse_mode} is not implemented by the fake Bot API; use HTML"
        raise EntityParseError(msg)

    def _user_dict_or_none(self, user_id: int) -> JSONDict | None:
        user = self._users.get(user_id)
        return user.to_dict() if user else None

    def _parse_markup(self, p: _Params, *, inline_only: bool = False) -> JSONDict | None:
        """Validate ``reply_markup``; returns the normalised markup (any kind) or None."""
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return {"inline_keyboard": self._validate_inline_keyboard(markup["inline_keyboard"])}
        if inline_only:
            raise _bad_request("inline keyboard expected")
        if "keyboard" in markup:
            return self._validate_reply_keyboard(markup)
        if markup.get("remove_keyboard") is True:
            result: JSONDict = {"remove_keyboard": True}
            if markup.get("selective"):
                result["selective"] = True
            return result
        if markup.get("force_reply") is True:
            return {
                k: markup[k]
                for k in ("force_reply", "input_field_placeholder", "selective")
                if k in markup
            }
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _validate_inline_keyboard(self, rows: Any) -> list[list[JSONDict]]:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                "can't parse inline keyboard button: "
                "InlineKeyboardMarkup must be an Array of Arrays"
            )
        result: list[list[JSONDict]] = []
        count = 0
        for row in rows:
            out_row: list[JSONDict] = []
            for button in row:
                out_row.append(self._validate_inline_button(button))
                count += 1
            if out_row:
                result.append(out_row)
        if count > MAX_INLINE_BUTTONS:
            raise _bad_request("reply markup is too long")
        return result

    @staticmethod
    def _validate_inline_button(button: Any) -> JSONDict:
        if not isinstance(button, dict):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request(
                "BUTTON_TEXT_INVALID"
                if isinstance(text, str)
                else 'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        actions = [name for name in _BUTTON_ACTIONS if button.get(name) is not None]
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard",
            )
        if len(actions) > 1:
            raise _bad_request(
                "can't parse inline keyboard button: exactly one of the optional fields must be "
                f"used, got {', '.join(actions)}",
            )
        action = actions[0]
        value = button[action]
        if action == "callback_data":
            if (
                not isinstance(value, str)
                or not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise _bad_request("BUTTON_DATA_INVALID")
        elif action == "url":
            if not isinstance(value, str) or not value.lower().startswith(
                ("http://", "https://", "tg://")
            ):
                raise _bad_request("BUTTON_URL_INVALID")
        elif action == "copy_text":
            copied = value.get("text") if isinstance(value, dict) else None
            if not isinstance(copied, str) or not 1 <= len(copied) <= 256:
                raise _bad_request("COPY_TEXT_INVALID")
        elif action == "web_app":
            web_url = value.get("url") if isinstance(value, dict) else None
            if not isinstance(web_url, str) or not web_url.lower().startswith("https://"):
                raise _bad_request("BUTTON_TYPE_INVALID")
        return {k: _copy(v) for k, v in button.items() if k in _BUTTON_FIELDS and v is not None}

    @staticmethod
    def _validate_reply_keyboard(markup: JSONDict) -> JSONDict:
        rows = markup.get("keyboard")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        keyboard: list[list[JSONDict]] = []
        for row in rows:
            out_row: list[JSONDict] = []
            for item in row:
                button = {"text": item} if isinstance(item, str) else item
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad_request(
                        'can\'t parse keyboard button: Field "text" must be of type String'
                    )
                if not button["text"].strip():
                    raise _bad_request("keyboard button text can't be empty")
                out_row.append({k: v for k, v in button.items() if k in _KEYBOARD_BUTTON_FIELDS})
            if out_row:
                keyboard.append(out_row)
        if not keyboard:
            raise _bad_request("keyboard must be non-empty")
        result: JSONDict = {"keyboard": keyboard}
        for key in (
            "is_persistent",
            "resize_keyboard",
            "one_time_keyboard",
            "input_field_placeholder",
            "selective",
        ):
            if markup.get(key) is not None:
                result[key] = markup[key]
        return result

    @staticmethod
    def _inline_part(markup: JSONDict | None) -> JSONDict | None:
        if markup is None or "inline_keyboard" not in markup or not markup["inline_keyboard"]:
            return None
        return markup

    def _remember_markup(self, chat: _Chat, markup: JSONDict | None) -> None:
        if markup is None or "inline_keyboard" in markup:
            return
        chat.last_reply_markup = markup
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif "remove_keyboard" in markup:
            chat.reply_keyboard = None

    def _reply_to(self, chat: _Chat, p: _Params) -> JSONDict | None:
        parameters = p.get_json("reply_parameters")
        target_id: int | None = None
        allow_missing = p.get_bool("allow_sending_without_reply")
        if isinstance(parameters, dict):
            value = parameters.get("message_id")
            target_id = value if isinstance(value, int) else None
            allow_missing = allow_missing or bool(parameters.get("allow_sending_without_reply"))
        elif parameters is not None:
            raise _bad_request("can't parse reply parameters JSON object")
        if target_id is None:
            target_id = p.get_int("reply_to_message_id")
        if target_id is None:
            return None
        target = chat.messages.get(target_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        snapshot = _copy(target.data)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _store_bot_message(
        self,
        chat: _Chat,
        p: _Params,
        content: JSONDict,
        *,
        markup: JSONDict | None,
        html: str | None,
    ) -> JSONDict:
        reply_to = self._reply_to(chat, p)
        message_id = chat.next_message_id()
        data: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": _copy(chat.data),
            "date": self.now(),
        }
        if reply_to is not None:
            data["reply_to_message"] = reply_to
        data.update(content)
        inline = self._inline_part(markup)
        if inline is not None:
            data["reply_markup"] = inline
        if p.get_bool("protect_content"):
            data["has_protected_content"] = True
        message = SentMessage(
            chat_id=chat.id,
            message_id=message_id,
            from_bot=True,
            data=data,
            html=html,
            parse_mode=p.get_str("parse_mode"),
            sent_reply_markup=_copy(markup),
            params=_copy(p.values),
        )
        chat.messages[message_id] = message
        self._remember_markup(chat, markup)
        self.notify()
        return _copy(data)

    @staticmethod
    def _text_fields(formatted: FormattedText, *, caption: bool = False) -> JSONDict:
        key = "caption" if caption else "text"
        fields: JSONDict = {}
        if formatted.text or not caption:
            fields[key] = formatted.text
        if formatted.entities:
            fields[f"{key}_entities" if caption else "entities"] = formatted.entities
        return fields

    # ------------------------------------------------------------------
    # Bot methods: sending
    # ------------------------------------------------------------------

    def _get_me(self, p: _Params) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, p: _Params) -> JSONDict:
        chat = self._writable_chat(p)
        text = p.get_str("text") or ""
        formatted = self._format(
            text,
            p.get_str("parse_mode"),
            p.get_json("entities"),
            limit=MAX_TEXT_LENGTH,
            empty_error="message text is empty",
            too_long_error="message is too long",
        )
        markup = self._parse_markup(p)
        return self._store_bot_message(
            chat,
            p,
            self._text_fields(formatted),
            markup=markup,
            html=text,
        )

    def _caption(self, p: _Params) -> tuple[FormattedText | None, str | None]:
        caption = p.get_str("caption")
        if not caption:
            return None, None
        formatted = self._format(
            caption,
            p.get_str("parse_mode"),
            p.get_json("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            empty_error=None,
            too_long_error="message caption is too long",
        )
        return formatted, caption

    def _input_file(self, p: _Params, name: str) -> tuple[str, bytes] | FakeFile:
        if name in p.files:
            return p.files[name]
        value = p.raw(name)
        if not isinstance(value, str) or not value:
            raise _bad_request(f"there is no {name} in the request")
        if value.startswith("attach://"):
            attached = value.removeprefix("attach://")
            if attached not in p.files:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return p.files[attached]
        if value in self.files:
            return self.files[value]
        if value.lower().startswith(("http://", "https://")):
            file_name = value.rstrip("/").rsplit("/", 1)[-1] or name
            return file_name, b"(fake content downloaded from " + value.encode() + b")"
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _new_file(
        self,
        kind: str,
        file_name: str | None,
        content: bytes,
        *,
        mime_type: str | None = None,
        by_bot: bool = False,
    ) -> FakeFile:
        self._file_counter += 1
        number = self._file_counter
        digest = hashlib.sha256(f"{self.bot_id}:{kind}:{number}".encode()).hexdigest()
        prefix = {"document": "BQACAgIAAxk", "photo": "AgACAgIAAxk", "sticker": "CAACAgIAAxk"}
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1].lower()
        elif kind == "photo":
            suffix = ".jpg"
        elif kind == "sticker":
            suffix = ".webp"
        fake_file = FakeFile(
            file_id=f"{prefix.get(kind, 'BAACAgIAAxk')}{number:06d}{digest[:24]}",
            file_unique_id=f"AgAD{number:06d}{digest[24:30]}",
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            content=content,
            file_path=f"{kind}s/file_{number}{suffix}",
            uploaded_by_bot=by_bot,
        )
        self.files[fake_file.file_id] = fake_file
        return fake_file

    def file_by_path(self, file_path: str) -> FakeFile | None:
        """The file served at ``/file/bot<token>/<file_path>``."""
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def _send_document(self, p: _Params) -> JSONDict:
        chat = self._writable_chat(p)
        source = self._input_file(p, "document")
        if isinstance(source, FakeFile):
            fake_file = source
        else:
            file_name, content = source
            if not content:
                raise _bad_request("file must be non-empty")
            if len(content) > MAX_DOCUMENT_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            fake_file = self._new_file("document", file_name, content, mime_type=mime, by_bot=True)
        caption, caption_html = self._caption(p)
        markup = self._parse_markup(p)
        document: JSONDict = {"file_name": fake_file.file_name or "document"}
        if fake_file.mime_type:
            document["mime_type"] = fake_file.mime_type
        document |= {
            "file_id": fake_file.file_id,
            "file_unique_id": fake_file.file_unique_id,
            "file_size": fake_file.file_size,
        }
        content_fields: JSONDict = {"document": document}
        if caption is not None:
            content_fields |= self._text_fields(caption, caption=True)
        result = self._store_bot_message(chat, p, content_fields, markup=markup, html=caption_html)
        fake_file.chat_id, fake_file.message_id = chat.id, int(result["message_id"])
        self.documents.append(fake_file)
        return result

    def _photo_sizes(self, fake_file: FakeFile) -> list[JSONDict]:
        width, height = _png_size(fake_file.content) or (800, 600)
        sizes: list[JSONDict] = []
        largest = max(width, height)
        for side in _PHOTO_SIDES:
            if side >= largest:
                break
            scale = side / largest
            sizes.append(
                {"width": max(1, round(width * scale)), "height": max(1, round(height * scale))}
            )
        sizes.append({"width": width, "height": height})
        result: list[JSONDict] = []
        for index, size in enumerate(sizes):
            result.append(
                {
                    "file_id": fake_file.file_id
                    if index == len(sizes) - 1
                    else f"{fake_file.file_id}_{index}",
                    "file_unique_id": f"{fake_file.file_unique_id}{index}",
                    "file_size": max(1, fake_file.file_size * (index + 1) // len(sizes)),
                    **size,
                }
            )
        return result

    def _send_photo(self, p: _Params) -> JSONDict:
        chat = self._writable_chat(p)
        source = self._input_file(p, "photo")
        if isinstance(source, FakeFile):
            if source.kind != "photo":
                raise _bad_request("type of file mismatch")
            fake_file = source
        else:
            file_name, content = source
            if not content:
                raise _bad_request("file must be non-empty")
            if not _is_image(content):
                raise _bad_request("IMAGE_PROCESS_FAILED")
            fake_file = self._new_file("photo", file_name, content, by_bot=True)
        caption, caption_html = self._caption(p)
        markup = self._parse_markup(p)
        content_fields: JSONDict = {"photo": self._photo_sizes(fake_file)}
        if caption is not None:
            content_fields |= self._text_fields(caption, caption=True)
        if p.get_bool("has_spoiler"):
            content_fields["has_media_spoiler"] = True
        if p.get_bool("show_caption_above_media"):
            content_fields["show_caption_above_media"] = True
        result = self._store_bot_message(chat, p, content_fields, markup=markup, html=caption_html)
        fake_file.chat_id, fake_file.message_id = chat.id, int(result["message_id"])
        self.photos.append(fake_file)
        return result

    def _get_file(self, p: _Params) -> JSONDict:
        file_id = p.get_str("file_id", required=True) or ""
        fake_file = self.files.get(file_id)
        if fake_file is None:
            base = file_id.rsplit("_", 1)[0]
            fake_file = self.files.get(base)
        if fake_file is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": fake_file.file_unique_id,
            "file_size": fake_file.file_size,
            "file_path": fake_file.file_path,
        }

    def _send_chat_action(self, p: _Params) -> bool:
        chat = self._writable_chat(p)
        action = p.get_str("action", required=True)
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self.chat_actions.append(ChatActionRecord(chat.id, action, self.clock()))
        self.notify()
        return True

    def _source_message(self, p: _Params) -> SentMessage:
        source_chat = self._chat_for_bot(p, name="from_chat_id")
        message_id = p.get_int("message_id", required=True)
        message = source_chat.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise _bad_request("message to forward not found")
        return message

    def _forward_message(self, p: _Params) -> JSONDict:
        chat = self._writable_chat(p)
        source = self._source_message(p)
        content = {
            k: _copy(v)
            for k, v in source.data.items()
            if k not in {"message_id", "from", "chat", "date", "edit_date", "reply_to_message"}
        }
        sender = source.data.get("from", {})
        content["forward_origin"] = {
            "type": "user",
            "sender_user": _copy(sender),
            "date": source.date,
        }
        content.pop("reply_markup", None)
        return self._store_bot_message(chat, p, content, markup=None, html=None)

    def _copy_message(self, p: _Params) -> JSONDict:
        chat = self._writable_chat(p)
        source = self._source_message(p)
        content = {
            k: _copy(v)
            for k, v in source.data.items()
            if k
            not in {
                "message_id",
                "from",
                "chat",
                "date",
                "edit_date",
                "reply_to_message",
                "reply_markup",
                "forward_origin",
            }
        }
        html = None
        if p.has("caption") and "text" not in content:
            caption, html = self._caption(p)
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if caption is not None:
                content |= self._text_fields(caption, caption=True)
        markup = self._parse_markup(p)
        result = self._store_bot_message(chat, p, content, markup=markup, html=html)
        return {"message_id": result["message_id"]}

    # ------------------------------------------------------------------
    # Bot methods: editing and deleting
    # ------------------------------------------------------------------

    def _message_to_edit(self, p: _Params) -> tuple[_Chat, SentMessage]:
        if p.has("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        chat = self._writable_chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return chat, message

    def _apply_edit(
        self,
        message: SentMessage,
        changes: JSONDict,
        removed: Iterable[str],
        *,
        html: str | None,
        p: _Params,
        html_changed: bool,
    ) -> JSONDict:
        new_data = _copy(message.data)
        new_data.pop("edit_date", None)
        for key in removed:
            new_data.pop(key, None)
        new_data.update(changes)
        old_data = {k: v for k, v in message.data.items() if k != "edit_date"}
        if new_data == old_data:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.history.append(MessageVersion(_copy(message.data), message.html, message.edit_date))
        new_data["edit_date"] = self.now()
        message.data = new_data
        if html_changed:
            message.html = html
            message.parse_mode = p.get_str("parse_mode")
        message.params = _copy(p.values)
        self.notify()
        return _copy(new_data)

    def _edit_message_text(self, p: _Params) -> JSONDict:
        _, message = self._message_to_edit(p)
        if "text" not in message.data:
            raise _bad_request("there is no text in the message to edit")
        text = p.get_str("text") or ""
        formatted = self._format(
            text,
            p.get_str("parse_mode"),
            p.get_json("entities"),
            limit=MAX_TEXT_LENGTH,
            empty_error="message text is empty",
            too_long_error="message is too long",
        )
        markup = self._inline_part(self._parse_markup(p, inline_only=True))
        changes = self._text_fields(formatted)
        if markup is not None:
            changes["reply_markup"] = markup
        return self._apply_edit(
            message,
            changes,
            ("text", "entities", "reply_markup"),
            html=text,
            p=p,
            html_changed=True,
        )

    def _edit_message_caption(self, p: _Params) -> JSONDict:
        _, message = self._message_to_edit(p)
        if "text" in message.data:
            raise _bad_request("there is no caption in the message to edit")
        caption, caption_html = self._caption(p)
        markup = self._inline_part(self._parse_markup(p, inline_only=True))
        changes: JSONDict = {}
        if caption is not None:
            changes |= self._text_fields(caption, caption=True)
        if markup is not None:
            changes["reply_markup"] = markup
        return self._apply_edit(
            message,
            changes,
            ("caption", "caption_entities", "reply_markup"),
            html=caption_html,
            p=p,
            html_changed=True,
        )

    def _edit_message_reply_markup(self, p: _Params) -> JSONDict:
        _, message = self._message_to_edit(p)
        markup = self._inline_part(self._parse_markup(p, inline_only=True))
        changes: JSONDict = {} if markup is None else {"reply_markup": markup}
        return self._apply_edit(
            message,
            changes,
            ("reply_markup",),
            html=None,
            p=p,
            html_changed=False,
        )

    def _delete_one(self, chat: _Chat, message_id: int) -> None:
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        if chat.type != "private" and not message.from_bot:
            raise _bad_request("message can't be deleted")
        if self.now() - message.date > DELETE_WINDOW_SECONDS:
            raise _bad_request("message can't be deleted for everyone")
        message.deleted = True

    def _delete_message(self, p: _Params) -> bool:
        chat = self._chat_for_bot(p)
        message_id = p.get_int("message_id", required=True) or 0
        self._delete_one(chat, message_id)
        self.notify()
        return True

    def _delete_messages(self, p: _Params) -> bool:
        chat = self._chat_for_bot(p)
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must be a non-empty array of at most 100 elements")
        for message_id in ids:
            try:
                self._delete_one(chat, int(message_id))
            except ApiError:
                continue
        self.notify()
        return True

    # ------------------------------------------------------------------
    # Bot methods: queries
    # ------------------------------------------------------------------

    def _answer_callback_query(self, p: _Params) -> bool:
        query_id = p.get_str("callback_query_id", required=True) or ""
        query = self._callback_queries.get(query_id)
        if query is None or query.answered:
            raise _bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=p.get_bool("show_alert"),
                url=p.get_str("url"),
                cache_time=p.get_int("cache_time") or 0,
                user_id=query.user_id,
                chat_id=query.chat_id,
                message_id=query.message_id,
                data=query.data,
            )
        )
        self.notify()
        return True

    def _answer_inline_query(self, p: _Params) -> bool:
        query_id = p.get_str("inline_query_id", required=True) or ""
        query = self._inline_queries.get(query_id)
        if query is None or query.answered:
            raise _bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        results = p.get_json("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or result.get("type") not in _INLINE_RESULT_TYPES:
                raise _bad_request("can't parse InlineQueryResult: unsupported type")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise _bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and isinstance(content.get("message_text"), str):
                self._format(
                    content["message_text"],
                    content.get("parse_mode"),
                    content.get("entities"),
                    limit=MAX_TEXT_LENGTH,
                    empty_error="message text is empty",
                    too_long_error="message is too long",
                )
            if "reply_markup" in result:
                self._validate_inline_keyboard(result["reply_markup"].get("inline_keyboard"))
        query.answered = True
        button = p.get_json("button")
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                query=query.query,
                user_id=query.user_id,
                results=_copy(results),
                cache_time=p.get_int("cache_time") or 300,
                is_personal=p.get_bool("is_personal"),
                next_offset=p.get_str("next_offset"),
                button=button if isinstance(button, dict) else None,
            )
        )
        self.notify()
        return True

    # ------------------------------------------------------------------
    # Bot methods: commands, menu button, bot texts
    # ------------------------------------------------------------------

    def _scope_key(self, p: _Params) -> str:
        scope = p.get_json("scope")
        if scope is None:
            return "default"
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad_request("can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        if kind in {"chat", "chat_administrators", "chat_member"}:
            chat_id = scope.get("chat_id")
            if chat_id is None:
                raise _bad_request("chat_id is empty")
            if kind == "chat_member":
                user_id = scope.get("user_id")
                if user_id is None:
                    raise _bad_request("user_id is empty")
                return f"{kind}:{chat_id}:{user_id}"
            return f"{kind}:{chat_id}"
        return kind

    @staticmethod
    def _language(p: _Params) -> str:
        language = p.get_str("language_code") or ""
        if language and not (len(language) == 2 and language.isascii() and language.isalpha()):
            raise _bad_request("invalid language code specified")
        return language.lower()

    def _set_my_commands(self, p: _Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = item.get("command")
            description = item.get("description")
            if (
                not isinstance(name, str)
                or not 1 <= len(name) <= 32
                or not all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name)
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = (self._scope_key(p), self._language(p))
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        self.notify()
        return True

    def _get_my_commands(self, p: _Params) -> list[JSONDict]:
        key = (self._scope_key(p), self._language(p))
        return _copy(self.commands.get(key, []))

    def _delete_my_commands(self, p: _Params) -> bool:
        self.commands.pop((self._scope_key(p), self._language(p)), None)
        self.notify()
        return True

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSONDict]:
        """Commands stored for exactly this scope key and language (like getMyCommands)."""
        return _copy(self.commands.get((scope, language_code), []))

    def visible_commands(self, user: FakeUser | int) -> list[JSONDict]:
        """Commands a Telegram client shows to ``user`` in the private chat with the bot,
        resolved in the documented order of scopes and languages."""
        person = self._resolve_user(user)
        language = (person.language_code or "")[:2].lower()
        for scope in (f"chat:{person.id}", "all_private_chats", "default"):
            for lang in ([language] if language else []) + [""]:
                if (scope, lang) in self.commands:
                    return _copy(self.commands[(scope, lang)])
        return []

    def _set_chat_menu_button(self, p: _Params) -> bool:
        chat_id = p.get_int("chat_id")
        if chat_id is not None and chat_id not in self._chats:
            raise _bad_request("chat not found")
        button = p.get_json("menu_button")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in {
            "commands",
            "web_app",
            "default",
        }:
            raise _bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = _copy(button)
        self.notify()
        return True

    def _get_chat_menu_button(self, p: _Params) -> JSONDict:
        chat_id = p.get_int("chat_id")
        if chat_id is not None and chat_id in self.menu_buttons:
            return _copy(self.menu_buttons[chat_id])
        return _copy(self.menu_buttons.get(None, {"type": "default"}))

    def _bot_text_setter(self, kind: str, limit: int) -> Callable[[_Params], bool]:
        def setter(p: _Params) -> bool:
            value = p.get_str(kind) or ""
            if len(value) > limit:
                raise _bad_request(f"bot {kind.replace('_', ' ')} is too long")
            key = (kind, self._language(p))
            if value:
                self.bot_texts[key] = value
            else:
                self.bot_texts.pop(key, None)
            self.notify()
            return True

        return setter

    def _bot_text_getter(self, kind: str) -> Callable[[_Params], JSONDict]:
        def getter(p: _Params) -> JSONDict:
            language = self._language(p)
            default = self.bot_first_name if kind == "name" else ""
            value = self.bot_texts.get((kind, language), self.bot_texts.get((kind, ""), default))
            return {kind: value}

        return getter

    # ------------------------------------------------------------------
    # User side: what a person does in a Telegram client
    # ------------------------------------------------------------------

    def _store_user_message(self, user: FakeUser, content: JSONDict) -> SentMessage:
        chat = self._private_chat(user)
        if chat.blocked:
            # Telegram clients show "Restart" instead of the input field; pressing it unblocks.
            self.unblock(user)
        chat.started = True
        message_id = chat.next_message_id()
        data: JSONDict = {
            "message_id": message_id,
            "from": user.to_dict(),
            "chat": _copy(chat.data),
            "date": self.now(),
            **content,
        }
        message = SentMessage(chat.id, message_id, from_bot=False, data=data)
        chat.messages[message_id] = message
        return message

    def _user_text(self, text: str) -> FormattedText:
        formatted = finalize_text(text, [])
        if not formatted.text:
            msg = "a Telegram client can't send an empty message"
            raise ValueError(msg)
        if len(formatted.text) > MAX_TEXT_LENGTH:
            msg = "a Telegram client splits texts longer than 4096 characters; send parts"
            raise ValueError(msg)
        return formatted

    def send_text(
        self, user: FakeUser | int, text: str, *, reply_to: int | None = None
    ) -> JSONDict:
        """The user sends a text message; returns the queued ``message`` Update."""
        person = self._resolve_user(user)
        content = self._text_fields(self._user_text(text))
        if reply_to is not None:
            content = {"reply_to_message": self._reply_snapshot(person, reply_to), **content}
        message = self._store_user_message(person, content)
        return self.enqueue_update("message", message.data)

    def _reply_snapshot(self, user: FakeUser, message_id: int) -> JSONDict:
        target = self._private_chat(user).messages.get(message_id)
        if target is None or target.deleted:
            msg = f"message {message_id} not found in chat {user.id}"
            raise LookupError(msg)
        snapshot = _copy(target.data)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def forward_text(
        self,
        user: FakeUser | int,
        text: str,
        *,
        from_name: str,
        from_user: FakeUser | None = None,
    ) -> JSONDict:
        """The user forwards someone's text message to the bot.

        Without ``from_user`` the original sender hides their account (``hidden_user`` origin
        with ``sender_user_name``), else the origin is that user.
        """
        person = self._resolve_user(user)
        origin: JSONDict
        if from_user is None:
            origin = {"type": "hidden_user", "sender_user_name": from_name, "date": self.now() - 60}
        else:
            origin = {"type": "user", "sender_user": from_user.to_dict(), "date": self.now() - 60}
        content = {"forward_origin": origin, **self._text_fields(self._user_text(text))}
        message = self._store_user_message(person, content)
        return self.enqueue_update("message", message.data)

    def edit_text(self, user: FakeUser | int, message_id: int, text: str) -> JSONDict:
        """The user edits their own text message; returns the ``edited_message`` Update."""
        person = self._resolve_user(user)
        message = self._private_chat(person).messages.get(message_id)
        if message is None or message.deleted or message.from_bot or "text" not in message.data:
            msg = f"user {person.id} has no text message {message_id} to edit"
            raise LookupError(msg)
        formatted = self._user_text(text)
        message.history.append(MessageVersion(_copy(message.data), None, message.edit_date))
        message.data.pop("entities", None)
        message.data.update(self._text_fields(formatted))
        message.data["edit_date"] = self.now()
        return self.enqueue_update("edited_message", message.data)

    def send_sticker(self, user: FakeUser | int, *, emoji: str = "👍") -> JSONDict:
        person = self._resolve_user(user)
        fake_file = self._new_file(
            "sticker", None, b"RIFF\x1a\x00\x00\x00WEBPVP8 fake", mime_type="image/webp"
        )
        sticker: JSONDict = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_id": fake_file.file_id,
            "file_unique_id": fake_file.file_unique_id,
            "file_size": fake_file.file_size,
        }
        message = self._store_user_message(person, {"sticker": sticker})
        fake_file.chat_id, fake_file.message_id = person.id, message.message_id
        return self.enqueue_update("message", message.data)

    def send_photo(
        self,
        user: FakeUser | int,
        *,
        caption: str | None = None,
        content: bytes = _TINY_PNG,
    ) -> JSONDict:
        person = self._resolve_user(user)
        fake_file = self._new_file("photo", None, content, mime_type="image/jpeg")
        fields: JSONDict = {"photo": self._photo_sizes(fake_file)}
        if caption:
            fields |= self._text_fields(finalize_text(caption, []), caption=True)
        message = self._store_user_message(person, fields)
        fake_file.chat_id, fake_file.message_id = person.id, message.message_id
        return self.enqueue_update("message", message.data)

    def send_document(
        self,
        user: FakeUser | int,
        *,
        file_name: str = "resume.pdf",
        content: bytes = b"%PDF-1.4\n% fake document\n",
        caption: str | None = None,
    ) -> JSONDict:
        person = self._resolve_user(user)
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        fake_file = self._new_file("document", file_name, content, mime_type=mime)
        document: JSONDict = {
            "file_name": file_name,
            "mime_type": mime,
            "file_id": fake_file.file_id,
            "file_unique_id": fake_file.file_unique_id,
            "file_size": fake_file.file_size,
        }
        fields: JSONDict = {"document": document}
        if caption:
            fields |= self._text_fields(finalize_text(caption, []), caption=True)
        message = self._store_user_message(person, fields)
        fake_file.chat_id, fake_file.message_id = person.id, message.message_id
        return self.enqueue_update("message", message.data)

    def chat_instance(self, chat_id: int) -> str:
        """The stable ``chat_instance`` Telegram reports for callback queries in a chat."""
        digest = hashlib.sha256(f"{self.bot_id}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def _next_query_id(self) -> str:
        self._query_counter += 1
        return f"{self.bot_id}{self._query_counter:010d}"

    def press(
        self,
        user: FakeUser | int,
        message_id: int,
        callback_data: str,
        *,
        forge: bool = False,
        chat_id: int | None = None,
    ) -> JSONDict:
        """The user presses the inline button with ``callback_data`` under a bot message.

        Raises LookupError if the (non-deleted) message has no such button, unless ``forge``:
        then the query is sent anyway, as a modified client could. ``chat_id``: a group of
        :meth:`add_group` instead of the private chat.
        """
        person = self._resolve_user(user)
        chat = self._private_chat(person) if chat_id is None else self._group(chat_id)
        message = chat.messages.get(message_id)
        alive = message is not None and not message.deleted
        if not forge:
            if message is None or not alive:
                msg = f"no message {message_id} in chat {chat.id} to press a button on"
                raise LookupError(msg)
            if callback_data not in message.callback_data:
                msg = (
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"it has {message.callback_data}"
                )
                raise LookupError(msg)
        if message is not None and alive:
            message_payload = _copy(message.data)
        else:
            message_payload = {
                "chat": _copy(chat.data),
                "message_id": message_id,
                "date": 0,
            }
        query_id = self._next_query_id()
        self._callback_queries[query_id] = _CallbackQuery(
            query_id,
            person.id,
            chat.id,
            message_id,
            callback_data,
        )
        payload: JSONDict = {
            "id": query_id,
            "from": person.to_dict(),
            "message": message_payload,
            "chat_instance": self.chat_instance(chat.id),
            "data": callback_data,
        }
        return self.enqueue_update("callback_query", payload)

    def press_button(
        self,
        user: FakeUser | int,
        text: str,
        message_id: int | None = None,
    ) -> JSONDict:
        """Press the inline button with this visible text on the given message, or on the
        latest bot message in the chat that has an inline keyboard."""
        person = self._resolve_user(user)
        chat = self._private_chat(person)
        if message_id is None:
            candidates = [
                m for m in chat.messages.values() if m.from_bot and not m.deleted and m.buttons
            ]
            if not candidates:
                msg = f"no bot message with an inline keyboard in chat {chat.id}"
                raise LookupError(msg)
            message = candidates[-1]
        else:
            found = chat.messages.get(message_id)
            if found is None or found.deleted:
                msg = f"no message {message_id} in chat {chat.id}"
                raise LookupError(msg)
            message = found
        button = message.button(text)
        if "callback_data" not in button:
            msg = f"button {text!r} is not a callback button: {button}"
            raise ValueError(msg)
        return self.press(person, message.message_id, str(button["callback_data"]))

    def press_reply_button(self, user: FakeUser | int, text: str) -> JSONDict:
        """Tap a button of the current reply keyboard: the client sends its text."""
        person = self._resolve_user(user)
        keyboard = self._private_chat(person).reply_keyboard
        texts = [b["text"] for row in (keyboard or {}).get("keyboard", []) for b in row]
        if text not in texts:
            msg = f"no reply keyboard button {text!r} in chat {person.id}; keyboard: {texts}"
            raise LookupError(msg)
        return self.send_text(person, text)

    def send_inline_query(
        self,
        user: FakeUser | int,
        query: str,
        *,
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        """The user types ``@bot query`` in some chat; returns the ``inline_query`` Update."""
        if not self.supports_inline_queries:
            msg = "inline mode is disabled for this bot (supports_inline_queries=False)"
            raise ValueError(msg)
        person = self._resolve_user(user)
        query_id = self._next_query_id()
        self._inline_queries[query_id] = _InlineQuery(query_id, person.id, query)
        payload: JSONDict = {
            "id": query_id,
            "from": person.to_dict(),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            payload["chat_type"] = chat_type
        return self.enqueue_update("inline_query", payload)

    def _member_update(self, user: FakeUser, old: JSONDict, new: JSONDict) -> JSONDict:
        chat = self._private_chat(user)
        payload: JSONDict = {
            "chat": _copy(chat.data),
            "from": user.to_dict(),
            "date": self.now(),
            "old_chat_member": {"user": self.bot_user, **old},
            "new_chat_member": {"user": self.bot_user, **new},
        }
        return self.enqueue_update("my_chat_member", payload)

    def block(self, user: FakeUser | int) -> JSONDict:
        """The user blocks the bot: sends/edits to them now fail with 403 and a
        ``my_chat_member`` update (member -> kicked) is queued and returned."""
        person = self._resolve_user(user)
        chat = self._private_chat(person)
        if chat.blocked:
            msg = f"user {person.id} has already blocked the bot"
            raise ValueError(msg)
        chat.blocked = True
        return self._member_update(
            person,
            {"status": "member"},
            {"status": "kicked", "until_date": 0},
        )

    def unblock(self, user: FakeUser | int) -> JSONDict:
        """The user unblocks the bot (``my_chat_member`` kicked -> member)."""
        person = self._resolve_user(user)
        chat = self._private_chat(person)
        if not chat.blocked:
            msg = f"user {person.id} has not blocked the bot"
            raise ValueError(msg)
        chat.blocked = False
        return self._member_update(
            person,
            {"status": "kicked", "until_date": 0},
            {"status": "member"},
        )

    def is_blocked(self, user: FakeUser | int) -> bool:
        chat = self._chats.get(self._chat_key(user))
        return bool(chat and chat.blocked)

    # ------------------------------------------------------------------
    # Inspection for tests
    # ------------------------------------------------------------------

    def messages(self, chat_id: FakeUser | int) -> list[SentMessage]:
        """All messages of the chat in order (both sides), deleted ones flagged."""
        chat = self._chats.get(self._chat_key(chat_id))
        return list(chat.messages.values()) if chat else []

    def bot_messages(
        self, chat_id: FakeUser | int, *, include_deleted: bool = False
    ) -> list[SentMessage]:
        return [
            m for m in self.messages(chat_id) if m.from_bot and (include_deleted or not m.deleted)
        ]

    def user_messages(self, chat_id: FakeUser | int) -> list[SentMessage]:
        return [m for m in self.messages(chat_id) if not m.from_bot]

    def last_message(self, chat_id: FakeUser | int) -> SentMessage | None:
        """The latest non-deleted message the bot sent to the chat (None if there is none)."""
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: FakeUser | int, message_id: int) -> SentMessage:
        chat = self._chats.get(self._chat_key(chat_id))
        if chat is None or message_id not in chat.messages:
            msg = f"no message {message_id} in chat {self._chat_key(chat_id)}"
            raise LookupError(msg)
        return chat.messages[message_id]

    def reply_keyboard(self, chat_id: FakeUser | int) -> JSONDict | None:
        """The reply keyboard currently shown in the chat (None after ReplyKeyboardRemove)."""
        chat = self._chats.get(self._chat_key(chat_id))
        return _copy(chat.reply_keyboard) if chat else None

    def last_reply_markup(self, chat_id: FakeUser | int) -> JSONDict | None:
        """The last non-inline reply_markup sent to the chat (keyboard, remove or force_reply)."""
        chat = self._chats.get(self._chat_key(chat_id))
        return _copy(chat.last_reply_markup) if chat else None
