"""Builds the bot, the dispatcher and the FSM storage from settings; no globals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import Settings
from bot.app.metrics import Metrics
from bot.db.engine import WriteGate
from bot.db.fsm_redis import RedisRecordStorage, RenewedLockIsolation
from bot.db.fsm_storage import SQLAlchemyStorage
from bot.domain.clock import Clock, system_clock
from bot.fsm_buffer import TransactionalStorage
from bot.routing import route_callbacks_by_prefix, route_messages_by_need, run_sync_filters_inline
from bot.scheduler.runner import NoPlanner, Planner
from bot.telegram.handlers import build_root_router
from bot.telegram.handlers.errors import on_error
from bot.telegram.i18n import UserI18nMiddleware
from bot.telegram.middlewares.db import DbSessionMiddleware, UpdatesInFlight, UserMiddleware
from bot.telegram.middlewares.fsm import PersonLock, PersonLocks
from bot.telegram.middlewares.logging import HandlerTraceMiddleware, UpdateLogMiddleware
from bot.telegram.middlewares.telegram import install as install_request_middlewares

LOCK_SECONDS = 5
"""How long one person's lock (event isolation across replicas) may be held at most."""
EVENT_TYPES = ("message", "edited_message", "callback_query", "inline_query", "my_chat_member")


def create_bot(settings: Settings) -> Bot:
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    return install_request_middlewares(bot)


def create_storage(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when ``REDIS_URL`` is set (shared by replicas), else the bot's own database.

    :func:`create_dispatcher` puts a per-update buffer in front of either
    (:class:`bot.fsm_buffer.TransactionalStorage`).
    """
    key_builder = DefaultKeyBuilder(with_destiny=True)
    if settings.redis_url:
        redis_storage = cast(
            RedisRecordStorage,
            RedisRecordStorage.from_url(settings.redis_url, key_builder=key_builder),
        )
        # The lock that serializes one person's updates across replicas expires by itself
        # once its holder stops renewing it: after a replica is killed mid-update, the person
        # waits seconds, not a minute.
        isolation = RenewedLockIsolation(redis_storage.redis, key_builder, timeout=LOCK_SECONDS)
        return redis_storage, isolation
    return SQLAlchemyStorage(sessionmaker, key_builder=key_builder), PersonLocks()


def redis_ping(storage: BaseStorage) -> Callable[[], Awaitable[Any]] | None:
    """A readiness probe for the Redis holding the conversations, when they are in Redis."""
    if not isinstance(storage, RedisStorage):
        return None
    redis = storage.redis

    async def ping() -> None:
        await redis.ping()

    return ping


def create_dispatcher(
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: BaseStorage,
    events_isolation: BaseEventIsolation,
    i18n: I18n,
    gate: WriteGate,
    clock: Clock = system_clock,
    planner: Planner | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    fsm = storage if isinstance(storage, TransactionalStorage) else TransactionalStorage(storage)
    # aiogram's FSM middleware would read the state before our transaction opens: it runs
    # inside it instead, and the person's lock is taken around the whole update (PersonLock).
    dp = Dispatcher(storage=fsm, events_isolation=events_isolation, disable_fsm=True)
    dp["settings"] = settings
    dp["clock"] = clock
    dp["sessionmaker"] = sessionmaker
    dp["planner"] = planner or NoPlanner()

    dp.update.outer_middleware(UpdateLogMiddleware(metrics))
    in_flight = UpdatesInFlight()
    dp["updates_in_flight"] = in_flight  # drained on shutdown
    dp.update.outer_middleware(in_flight)
    dp.update.outer_middleware(PersonLock(dp.fsm))
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker, gate, clock, fsm))
    dp.update.outer_middleware(
        FSMContextMiddleware(storage=fsm, events_isolation=DisabledEventIsolation())
    )
    dp.update.outer_middleware(UserMiddleware())
    dp.update.outer_middleware(UserI18nMiddleware(i18n))
    for event_type in EVENT_TYPES:
        dp.observers[event_type].middleware(HandlerTraceMiddleware())

    dp.errors.register(on_error)
    dp.include_router(build_root_router())
    route_callbacks_by_prefix(dp)
    route_messages_by_need(dp, i18n)
    run_sync_filters_inline(dp)
    return dp
