"""Builds the bot, the dispatcher and the FSM storage from settings; no globals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import Settings
from bot.app.metrics import Metrics
from bot.db.fsm_storage import AfterCommitStorage, SQLAlchemyStorage
from bot.domain.clock import Clock, system_clock
from bot.services.ports import NoPlanner, Planner
from bot.telegram.handlers import build_root_router
from bot.telegram.handlers.errors import on_error
from bot.telegram.i18n import UserI18nMiddleware
from bot.telegram.middlewares.db import (
    DbSessionMiddleware,
    UnitOfWorkMiddleware,
    UpdatesInFlight,
    UserMiddleware,
)
from bot.telegram.middlewares.fsm import PersonLocks
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
    """Redis when ``REDIS_URL`` is set (shared by replicas), else the bot's own database."""
    key_builder = DefaultKeyBuilder(with_destiny=True)
    if settings.redis_url:
        # Imported here: redis is an extra that the embedded mode (`make run`) does without.
        from bot.db.fsm_redis import ErasableRedisStorage, RenewedLockIsolation  # noqa: PLC0415

        redis_storage = ErasableRedisStorage.from_url(settings.redis_url, key_builder=key_builder)
        # The lock that serializes one person's updates across replicas expires by itself
        # once its holder stops renewing it: after a replica is killed mid-update, the person
        # waits seconds, not a minute.
        isolation = RenewedLockIsolation(redis_storage.redis, key_builder, timeout=LOCK_SECONDS)
        return AfterCommitStorage(redis_storage), isolation
    return SQLAlchemyStorage(sessionmaker, key_builder=key_builder), PersonLocks()


def redis_ping(storage: BaseStorage) -> Callable[[], Awaitable[Any]] | None:
    """A readiness probe for the Redis holding the conversations, when they are in Redis."""
    inner = storage.inner if isinstance(storage, AfterCommitStorage) else storage
    redis = getattr(inner, "redis", None)  # aiogram's RedisStorage
    if redis is None:
        return None

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
    clock: Clock = system_clock,
    planner: Planner | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    """The dispatcher with the middlewares every update passes, outermost first:

    logging → updates in flight (a stop lets an update finish) → the update's database
    session → aiogram's FSM middleware (the person's lock; the conversation, read through
    that session) → the unit of work (skip a handled update; commit) → the person → their
    language → the routers.
    """
    # aiogram registers its FSM middleware first of all; registered here instead (the same
    # middleware, dp.fsm), it comes after the three that must wrap the person's lock.
    dp = Dispatcher(storage=storage, events_isolation=events_isolation, disable_fsm=True)
    dp["settings"] = settings
    dp["clock"] = clock
    dp["sessionmaker"] = sessionmaker
    dp["planner"] = planner or NoPlanner()

    dp.update.outer_middleware(UpdateLogMiddleware(metrics))
    in_flight = UpdatesInFlight()
    dp["updates_in_flight"] = in_flight  # drained on shutdown
    dp.update.outer_middleware(in_flight)
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dp.update.outer_middleware(dp.fsm)
    deferred = storage if isinstance(storage, AfterCommitStorage) else None
    conversations = storage if isinstance(storage, SQLAlchemyStorage | AfterCommitStorage) else None
    dp.update.outer_middleware(UnitOfWorkMiddleware(clock, deferred, conversations))
    dp.update.outer_middleware(UserMiddleware())
    dp.update.outer_middleware(UserI18nMiddleware(i18n))
    for event_type in EVENT_TYPES:
        dp.observers[event_type].middleware(HandlerTraceMiddleware())

    dp.errors.register(on_error)
    dp.include_router(build_root_router())
    return dp
