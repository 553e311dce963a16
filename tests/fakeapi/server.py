"""aiohttp server exposing a :class:`FakeTelegram` with the real Bot API wire format.

Routes: ``/bot{token}/{method}`` (GET/POST; query string, urlencoded and multipart forms,
JSON bodies) and ``/file/bot{token}/{path}``.  Point aiogram at it with
``TelegramAPIServer.from_base(await server.start())``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from .core import FakeTelegram, Files, JSONDict

__all__ = ["FakeBotAPIServer"]

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024
_NOT_FOUND: JSONDict = {"ok": False, "error_code": 404, "description": "Not Found"}


class FakeBotAPIServer:
    """HTTP front end for a :class:`FakeTelegram` (one bot token)."""

    def __init__(self, core: FakeTelegram | None = None) -> None:
        self.core = core if core is not None else FakeTelegram()
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self.app.router.add_route("*", "/{tail:.*}", self._handle_unknown)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening; returns the base URL, e.g. ``http://127.0.0.1:41234``."""
        if self._runner is not None:
            msg = "server already started"
            raise RuntimeError(msg)
        # handler_cancellation: a long poll whose client went away (e.g. the bot process was
        # killed) stops counting as a waiting getUpdates at once.
        runner = web.AppRunner(
            self.app,
            access_log=None,
            shutdown_timeout=1.0,
            handler_cancellation=True,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        bound_host, bound_port = str(address[0]), int(address[1])
        if ":" in bound_host:
            bound_host = f"[{bound_host}]"
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop the server; waiting long polls end with an empty result first."""
        if self._runner is None:
            return
        self.core.release_long_polls()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def wait_idle(self, timeout: float = 10) -> bool:
        """True once every queued update is confirmed and a getUpdates is waiting."""
        return await self.core.wait_idle(timeout)

    async def __aenter__(self) -> FakeBotAPIServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[dict[str, Any], Files]:
        params: dict[str, Any] = dict(request.query)
        files: Files = {}
        if request.method not in {"POST", "PUT"} or not request.body_exists:
            return params, files
        content_type = request.content_type
        if content_type == "application/json":
            body = json.loads(await request.text() or "{}")
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read())
                elif isinstance(value, bytes):
                    params[key] = value.decode("utf-8")
                else:
                    params[key] = value
        return params, files

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except (ValueError, UnicodeDecodeError):
            body: JSONDict = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse request body",
            }
            return web.json_response(body, status=400)
        status, body = await self.core.call_async(token, method, params, files)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.core.token:
            return web.json_response(_NOT_FOUND, status=404)
        fake_file = self.core.file_by_path(request.match_info["path"])
        if fake_file is None:
            return web.json_response(_NOT_FOUND, status=404)
        return web.Response(
            body=fake_file.content,
            content_type=fake_file.mime_type or "application/octet-stream",
        )

    @staticmethod
    async def _handle_unknown(request: web.Request) -> web.StreamResponse:
        return web.json_response(_NOT_FOUND, status=404)
