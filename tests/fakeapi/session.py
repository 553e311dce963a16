"""In-process aiogram transport that talks to a :class:`FakeTelegram` directly.

Requests are prepared exactly like :class:`aiogram.client.session.aiohttp.AiohttpSession`
prepares its form (same ``prepare_value``, files sent as ``attach://`` parts), and answers go
through ``check_response``, so the raised exceptions are the real aiogram ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError

from .core import FakeTelegram, Files

if TYPE_CHECKING:
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType
    from aiogram.types import InputFile

__all__ = ["FAKE_API_BASE", "FakeSession", "make_bot"]

FAKE_API_BASE = "http://fake-telegram.invalid"
"""Base URL the in-process session pretends to use (only file URLs are built from it)."""


class FakeFileNotFoundError(FileNotFoundError):
    """Raised by :meth:`FakeSession.stream_content` for an unknown file (HTTP 404)."""


class FakeSession(BaseSession):
    """aiogram session whose requests are answered by a :class:`FakeTelegram` in-process."""

    def __init__(self, core: FakeTelegram, **kwargs: Any) -> None:
        kwargs.setdefault("api", TelegramAPIServer.from_base(FAKE_API_BASE))
        super().__init__(**kwargs)
        self.core = core
        self.closed = False

    def build_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> tuple[dict[str, Any], dict[str, InputFile]]:
        """Form fields and files exactly as AiohttpSession.build_form_data would send them."""
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            params[key] = prepared
        return params, files

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        params, input_files = self.build_request(bot, method)
        files: Files = {}
        for key, input_file in input_files.items():
            chunks = [chunk async for chunk in input_file.read(bot)]
            files[key] = (input_file.filename or key, b"".join(chunks))
        request_timeout = self.timeout if timeout is None else timeout
        try:
            status, body = await asyncio.wait_for(
                self.core.call_async(bot.token, method.__api_method__, params, files),
                request_timeout,
            )
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        response = self.check_response(
            bot=bot,
            method=method,
            status_code=status,
            content=self.json_dumps(body),
        )
        return cast("TelegramType", response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        path = unquote(urlsplit(url).path)
        prefix = f"/file/bot{self.core.token}/"
        fake_file = (
            self.core.file_by_path(path.removeprefix(prefix)) if path.startswith(prefix) else None
        )
        if fake_file is None:
            if raise_for_status:
                raise FakeFileNotFoundError(url)
            yield b'{"ok":false,"error_code":404,"description":"Not Found"}'
            return
        content = fake_file.content
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    async def close(self) -> None:
        self.closed = True


def make_bot(core: FakeTelegram, token: str | None = None, **kwargs: Any) -> Bot:
    """A real aiogram Bot (parse_mode HTML by default) wired to ``core`` in-process.

    ``token`` defaults to the fake's token (another one gets 401 Unauthorized, as it should);
    other keyword arguments go to :class:`aiogram.Bot`.
    """
    kwargs.setdefault("default", DefaultBotProperties(parse_mode="HTML"))
    return Bot(token=token or core.token, session=FakeSession(core), **kwargs)
