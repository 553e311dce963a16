"""Entry point: settings → migrations → engine → dispatcher → polling."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from functools import partial

from aiohttp import web
from pydantic import ValidationError

from bot.app.commands import register_commands
from bot.app.config import Settings
from bot.app.factory import create_bot, create_dispatcher, create_storage, redis_ping
from bot.app.memory import freeze_startup_objects
from bot.app.metrics import Metrics
from bot.app.metrics import install as install_metrics
from bot.app.polling import Polling
from bot.app.web import build_app
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.domain.clock import system_clock
from bot.scheduler.delivery import ReminderDelivery
from bot.scheduler.limiter import RateLimiter
from bot.scheduler.runner import RECONCILE_SECONDS, ReminderScheduler, jobstore_url
from bot.telegram.i18n import create_i18n
from bot.telegram.middlewares.logging import quiet_chatty_loggers

logger = logging.getLogger("bot")

SHUTDOWN_TIMEOUT = 30.0  # seconds a webhook request in flight may take to finish

BOTFATHER_HELP = (
    "BOT_TOKEN is not set. Open Telegram, write to @BotFather, send /newbot and follow its "
    "questions; it answers with a token like 123456789:AA... Put it in a .env file next to "
    "the Makefile as BOT_TOKEN=<token> (or export BOT_TOKEN in your shell), then run "
    "`make run` again."
)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        missing = any(err["loc"] == ("bot_token",) for err in error.errors())
        if missing:
            print(BOTFATHER_HELP, file=sys.stderr)
        else:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
                for err in error.errors()
            )
            print(f"Configuration error: {problems}", file=sys.stderr)
        raise SystemExit(2) from None


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet_chatty_loggers()


async def _serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def _stop_event() -> asyncio.Event:
    """Set on SIGTERM or SIGINT: stop taking updates, finish what is in flight, close."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run(settings: Settings) -> None:
    """One process, in the role ``BOT_ROLE`` gives it: updates (polling or webhook), the
    reminder scheduler, or both (the default)."""
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    storage, isolation = create_storage(settings, sessionmaker)
    i18n = create_i18n(settings.default_locale)
    bot = create_bot(settings)
    metrics = Metrics()
    install_metrics(bot, metrics)
    reminders = None
    if settings.runs_scheduler:
        delivery = ReminderDelivery(
            bot=bot,
            sessionmaker=sessionmaker,
            i18n=i18n,
            clock=system_clock,
            limiter=RateLimiter(
                per_second=settings.reminders_per_second,
                per_chat_interval=settings.reminders_chat_interval,
            ),
            paid_broadcast=settings.paid_broadcast,
        )
        reminders = ReminderScheduler(
            delivery,
            jobstore_url(settings.database_url),
            reconcile_seconds=5 if settings.bot_role == "scheduler" else RECONCILE_SECONDS,
        )
    dp = create_dispatcher(
        settings=settings,
        sessionmaker=sessionmaker,
        storage=storage,
        events_isolation=isolation,
        i18n=i18n,
        planner=reminders,
        metrics=metrics,
    )
    runners: list[web.AppRunner] = []
    try:
        me = await bot.me()  # getMe, cached on the bot: the group note reuses it
        mode = "webhook" if settings.webhook_url else "polling"
        logger.info(
            "Starting @%s (id %s), role %s, %s", me.username, me.id, settings.bot_role, mode
        )
        if reminders is not None:
            reminders.start()
        app_with_checks = partial(
            build_app,
            settings=settings,
            engine=engine,
            scheduler_running=(lambda: reminders.running) if reminders is not None else None,
            redis_ping=redis_ping(storage) if settings.handles_updates else None,
        )
        freeze_startup_objects()
        if settings.health_port:  # the health checks and /metrics, for the operator only
            health = app_with_checks(metrics=metrics)
            runners.append(await _serve(health, settings.webhook_host, settings.health_port))
        if settings.handles_updates and settings.webhook_url:
            stop = _stop_event()
            # The webhook's port is public: the health checks, but no metrics (build_app).
            public = app_with_checks(dispatcher=dp, bot=bot)
            runners.append(await _serve(public, settings.webhook_host, settings.webhook_port))
            await register_commands(bot, i18n)
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=dp.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            await stop.wait()
            return
        if not settings.handles_updates:
            await _stop_event().wait()
            return
        await register_commands(bot, i18n)
        await bot.delete_webhook(drop_pending_updates=False)
        # Different people's updates are handled at once, one chat's in order, and a batch
        # is confirmed to Telegram only once handled (bot/app/polling.py).
        stop = _stop_event()
        await Polling(dp, bot, allowed_updates=dp.resolve_used_update_types()).run(stop)
    finally:
        for runner in reversed(runners):
            await runner.cleanup()  # waits for webhook requests in flight (bounded)
        await dp["updates_in_flight"].drain(SHUTDOWN_TIMEOUT)
        await storage.close()
        if reminders is not None:
            await reminders.shutdown()
        await bot.session.close()
        await engine.dispose()
        logger.info("Stopped")


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    upgrade(settings.database_url)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
