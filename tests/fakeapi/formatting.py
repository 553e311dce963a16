"""Text formatting as the Bot API server does it: HTML parse mode, entities, trimming.

Offsets and lengths of entities are counted in UTF-16 code units, as in the Bot API.
Error texts follow the ones Telegram returns after ``"Bad Request: can't parse entities: "``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ENTITY_TYPES",
    "EntityParseError",
    "FormattedText",
    "detect_entities",
    "entity_text",
    "finalize_text",
    "normalize_entities",
    "parse_html",
    "utf16_len",
]

ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)

# Order of entities that start at the same offset and have the same length.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
    "date_time": 99,
}
_DEFAULT_PRIORITY = 50

# Entities that can be combined with anything (automatically found entities may sit inside).
_STYLE_TYPES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
    }
)

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SUPPORTED_TAGS = frozenset(
    {*_SIMPLE_TAGS, "a", "code", "pre", "blockquote", "tg-emoji", "tg-time"},
)
_SPACES = frozenset(" \t\r\n\0\v")
_TRIM = " \t\r\n"
_DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_USER_LINK = re.compile(r"tg://user\?id=(\d+)", re.IGNORECASE)
_LINK_SCHEMES = ("http://", "https://", "tg://", "ton://", "ftp://")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF


class EntityParseError(ValueError):
    """The text can't be parsed; ``str(error)`` is the part after ``can't parse entities:``."""


@dataclass(frozen=True)
class FormattedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_MARKUP = re.compile("[<&]")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) + len(_ASTRAL.findall(text))


def entity_text(text: str, entity: dict[str, Any]) -> str:
    """The part of ``text`` covered by ``entity`` (offsets in UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = int(entity["offset"]) * 2
    end = start + int(entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")


def _sort_key(entity: dict[str, Any]) -> tuple[int, int, int]:
    return (
        int(entity["offset"]),
        -int(entity["length"]),
        _PRIORITY.get(str(entity["type"]), _DEFAULT_PRIORITY),
    )


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    chunk_start: int
    byte_offset: int
    extra: dict[str, str] = field(default_factory=dict)


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``source[pos] == '&'``; return (character, next position)."""
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        value = 0
        digits_start = end
        if end < n and source[end] in "xX":
            end += 1
            digits_start = end
            while end < n and source[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(source[end], 16)
                end += 1
        else:
            while end < n and source[end] in "0123456789":
                value = value * 10 + int(source[end])
                end += 1
        if end == digits_start or value == 0 or value >= _MAX_CODE_POINT or end - pos >= 10:
            return None
        if 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        name = source[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and source[end] == ";":
        end += 1
    return char, end


def _check_link(url: str) -> str | None:
    """Return the normalised URL of an inline link, or None if Telegram would drop it."""
    url = url.strip()
    if not url or any(char in _SPACES for char in url):
        return None
    lowered = url.lower()
    if lowered.startswith(_LINK_SCHEMES):
        rest = url.split("://", 1)[1]
        return url if rest else None
    if "://" in url or ":" in url.split("/", 1)[0]:
        return None
    host = url.split("/", 1)[0]
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None
    return "http://" + url


def parse_html(
    source: str,
    *,
    strict_ampersand: bool = True,
    resolve_user: Callable[[int], dict[str, Any] | None] | None = None,
) -> FormattedText:
    """Parse Bot API HTML into plain text and entities (not trimmed, no automatic entities).

    ``strict_ampersand``: reject a bare ``&`` that doesn't start an entity. The docs say such
    characters must be escaped; the real server quietly keeps them, so turn this off to be
    lenient exactly like Telegram.
    """
    chunks: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(source)
    i = 0

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode("utf-8", "surrogatepass"))

    def skip_spaces(pos: int) -> int:
        while pos < n and source[pos] in _SPACES:
            pos += 1
        return pos

    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                chunks.append(decoded[0])
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                msg = (
                    f"Character '&' at byte offset {byte_offset(i)} is not a part of an HTML "
                    "entity and must be replaced with &amp;"
                )
                raise EntityParseError(msg)
        if char != "<":
            # Plain text up to the next tag or entity, in one piece.
            found = _MARKUP.search(source, i + 1)
            stop = found.start() if found else n
            run = source[i:stop]
            chunks.append(run)
            utf16 += utf16_len(run)
            i = stop
            continue

        begin = i
        i += 1
        if i < n and source[i] == "/":
            # End tag.
            if not stack:
                msg = f"Unexpected end tag at byte offset {byte_offset(begin)}"
                raise EntityParseError(msg)
            j = i + 1
            while j < n and source[j] not in _SPACES and source[j] != ">":
                j += 1
            end_name = source[i + 1 : j].lower()
            j = skip_spaces(j)
            if j >= n or source[j] != ">":
                msg = f"Unclosed end tag at byte offset {byte_offset(begin)}"
                raise EntityParseError(msg)
            i = j + 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                msg = (
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
                raise EntityParseError(msg)
            if utf16 > tag.utf16_start:
                _close_tag(tag, utf16, chunks, entities, resolve_user)
            continue

        # Start tag.
        j = i
        while j < n and source[j] not in _SPACES and source[j] != ">":
            j += 1
        if j >= n:
            msg = f"Unclosed start tag at byte offset {byte_offset(begin)}"
            raise EntityParseError(msg)
        name = source[i:j].lower()
        if name not in _SUPPORTED_TAGS:
            msg = f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            raise EntityParseError(msg)
        attributes: dict[str, str] = {}
        i = j
        while True:
            i = skip_spaces(i)
            if i >= n:
                msg = f"Unclosed start tag at byte offset {byte_offset(begin)}"
                raise EntityParseError(msg)
            if source[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and source[i] not in _SPACES and source[i] not in "=>":
                i += 1
            attr_name = source[attr_start:i].lower()
            if not attr_name:
                msg = (
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                )
                raise EntityParseError(msg)
            i = skip_spaces(i)
            if i >= n or source[i] != "=":
                if name == "blockquote" and attr_name == "expandable":
                    attributes.setdefault("expandable", "")
                    continue
                msg = (
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {byte_offset(begin)}'
                )
                raise EntityParseError(msg)
            i = skip_spaces(i + 1)
            if i >= n:
                msg = f'Unclosed start tag "{name}" at byte offset {byte_offset(begin)}'
                raise EntityParseError(msg)
            if source[i] in "'\"":
                quote = source[i]
                i += 1
                value_chars: list[str] = []
                while i < n and source[i] != quote:
                    if source[i] == "&":
                        decoded = _decode_entity(source, i)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(source[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(value_chars)
            else:
                token_start = i
                while i < n and source[i].isascii() and (source[i].isalnum() or source[i] in ".-"):
                    i += 1
                value = source[token_start:i].lower()
                if i < n and source[i] not in _SPACES and source[i] != ">":
                    msg = f"Unexpected end of name token at byte offset {byte_offset(token_start)}"
                    raise EntityParseError(msg)
            if i >= n:
                msg = f"Unclosed start tag at byte offset {byte_offset(begin)}"
                raise EntityParseError(msg)
            attributes.setdefault(attr_name, value)

        stack.append(_open_tag(name, attributes, utf16, len(chunks), byte_offset(begin)))

    if stack:
        msg = f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        raise EntityParseError(msg)
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=_sort_key)
    return FormattedText("".join(chunks), entities)


def _open_tag(
    name: str,
    attributes: dict[str, str],
    utf16: int,
    chunk_start: int,
    byte_offset: int,
) -> _OpenTag:
    tag = _OpenTag(name, "", utf16, chunk_start, byte_offset)
    if name == "a":
        tag.argument = attributes.get("href", "")
    elif name == "code":
        css_class = attributes.get("class", "")
        if css_class.startswith("language-"):
            tag.argument = css_class.removeprefix("language-")
    elif name == "span":
        if attributes.get("class") != "tg-spoiler":
            msg = f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
            raise EntityParseError(msg)
    elif name == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        if not emoji_id.isdigit():
            msg = f'Tag "tg-emoji" must have a valid "emoji-id" at byte offset {byte_offset}'
            raise EntityParseError(msg)
        tag.argument = emoji_id
    elif name == "tg-time":
        unix = attributes.get("unix", "")
        if not unix.isdigit():
            msg = f'Tag "tg-time" must have a valid attribute "unix" at byte offset {byte_offset}'
            raise EntityParseError(msg)
        fmt = attributes.get("format")
        if fmt is not None and _DATE_TIME_FORMAT.fullmatch(fmt) is None:
            msg = f'Invalid date-time format "{fmt}" at byte offset {byte_offset}'
            raise EntityParseError(msg)
        tag.argument = unix
        if fmt:
            tag.extra["format"] = fmt
    elif name == "blockquote" and "expandable" in attributes:
        tag.argument = "expandable"
    return tag


def _close_tag(
    tag: _OpenTag,
    utf16: int,
    chunks: list[str],
    entities: list[dict[str, Any]],
    resolve_user: Callable[[int], dict[str, Any] | None] | None,
) -> None:
    offset = tag.utf16_start
    length = utf16 - offset
    base: dict[str, Any] = {"offset": offset, "length": length}
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == offset and last["length"] == length
    if tag.name in _SIMPLE_TAGS:
        entities.append({**base, "type": _SIMPLE_TAGS[tag.name]})
    elif tag.name == "a":
        url = tag.argument or "".join(chunks[tag.chunk_start :])
        user_match = _USER_LINK.fullmatch(url.strip())
        if user_match is not None:
            user_id = int(user_match.group(1))
            user = resolve_user(user_id) if resolve_user is not None else None
            entities.append(
                {
                    **base,
                    "type": "text_mention",
                    "user": user or {"id": user_id, "is_bot": False, "first_name": ""},
                }
            )
            return
        checked = _check_link(url)
        if checked is not None:
            entities.append({**base, "type": "text_link", "url": checked})
    elif tag.name == "pre":
        if last is not None and same_range and last["type"] == "code" and last.get("_language"):
            last["type"] = "pre"
            last["language"] = last.pop("_language")
        else:
            entities.append({**base, "type": "pre"})
    elif tag.name == "code":
        if last is not None and same_range and last["type"] == "pre" and tag.argument:
            last["language"] = tag.argument
        else:
            entity: dict[str, Any] = {**base, "type": "code"}
            if tag.argument:
                entity["_language"] = tag.argument
            entities.append(entity)
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument == "expandable" else "blockquote"
        entities.append({**base, "type": kind})
    elif tag.name == "tg-emoji":
        entities.append({**base, "type": "custom_emoji", "custom_emoji_id": tag.argument})
    elif tag.name == "tg-time":
        date_time: dict[str, Any] = {**base, "type": "date_time", "unix_time": int(tag.argument)}
        if "format" in tag.extra:
            date_time["date_time_format"] = tag.extra["format"]
        entities.append(date_time)


_ENTITY_FIELDS = {
    "text_link": ("url",),
    "text_mention": ("user",),
    "pre": ("language",),
    "custom_emoji": ("custom_emoji_id",),
    "date_time": ("unix_time", "date_time_format"),
}


def normalize_entities(text: str, raw: Any) -> list[dict[str, Any]]:
    """Validate entities given explicitly (``entities``/``caption_entities`` parameters)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        msg = 'Field "entities" must be an Array'
        raise EntityParseError(msg)
    total = utf16_len(text)
    result: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            msg = "MessageEntity must be an Object"
            raise EntityParseError(msg)
        kind = item.get("type")
        if kind not in ENTITY_TYPES:
            msg = f'Unsupported entity type "{kind}"'
            raise EntityParseError(msg)
        try:
            offset = int(item.get("offset", -1))
            length = int(item.get("length", -1))
        except (TypeError, ValueError) as error:
            msg = "Wrong entity offset or length"
            raise EntityParseError(msg) from error
        if offset < 0 or length <= 0:
            continue
        length = min(length, total - offset)
        if length <= 0:
            continue
        entity: dict[str, Any] = {"offset": offset, "length": length, "type": kind}
        for extra in _ENTITY_FIELDS.get(str(kind), ()):
            if item.get(extra) is not None:
                entity[extra] = item[extra]
        if kind == "text_link" and "url" not in entity:
            msg = 'Field "url" must be specified for text link entities'
            raise EntityParseError(msg)
        result.append(entity)
    result.sort(key=_sort_key)
    return result


# ---------------------------------------------------------------------------
# Automatic entities (the server finds them in every text, as Telegram does).
# A simplified version of Telegram's rules: enough for bot messages and user input.
# ---------------------------------------------------------------------------

_TLDS = "com|org|net|ru|io|me|dev|info|app|ai|co|su|ua|uk|de|рф|edu|gov|xyz|online|site|tech"
_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Zа-яё]{2,}(?![\w@])")),
    (
        "url",
        re.compile(
            r"(?<![\w@/.])(?:(?:https?|tg|ton)://[^\s<>\"]+"
            rf"|(?:[\w-]+\.)+(?:{_TLDS})(?::\d{{1,5}})?(?:/[^\s<>\"]*)?)(?![\w@])",
            re.IGNORECASE,
        ),
    ),
    (
        "bot_command",
        re.compile(r"(?<![\w/@])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/@])"),
    ),
    ("mention", re.compile(r"(?<![\w@/])@[a-zA-Z0-9_]{4,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#&])#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{3,8}(?![\w$])")),
)
_URL_TRAILING = ".,;:!?)]}'\""


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Find url, email, mention, hashtag, cashtag and bot_command entities in plain text."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _URL_TRAILING:
                    end -= 1
            if end <= start or any(start < s_end and s_start < end for s_start, s_end, _ in spans):
                continue
            spans.append((start, end, kind))
    spans.sort()
    return [
        {
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
            "type": kind,
        }
        for start, end, kind in spans
    ]


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(
        a["offset"] < b["offset"] + b["length"] and b["offset"] < a["offset"] + a["length"],
    )


def finalize_text(
    text: str,
    entities: list[dict[str, Any]],
    *,
    detect: bool = True,
) -> FormattedText:
    """Trim surrounding whitespace (moving entities along) and add automatic entities."""
    stripped_left = text.lstrip(_TRIM)
    lead = utf16_len(text[: len(text) - len(stripped_left)])
    stripped = stripped_left.rstrip(_TRIM)
    total = utf16_len(stripped)
    result: list[dict[str, Any]] = []
    for entity in entities:
        start = max(int(entity["offset"]) - lead, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    if detect:
        blocking = [e for e in result if e["type"] not in _STYLE_TYPES]
        result.extend(
            found
            for found in detect_entities(stripped)
            if not any(_overlaps(found, other) for other in blocking)
        )
    result.sort(key=_sort_key)
    return FormattedText(stripped, result)
