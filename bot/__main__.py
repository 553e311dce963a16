"""Entry point: settings → migrations → engine → dispatcher → polling."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.clock import system_clock
from bot.commands import register_commands
from bot.config import Settings
from bot.db.engine import WriteGate, create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.i18n import create_i18n
from bot.middlewares.logging import quiet_chatty_loggers
from bot.scheduler.delivery import NudgeDelivery
from bot.scheduler.runner import NudgeScheduler, jobstore_url

logger = logging.getLogger("bot")

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


async def run(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    storage, isolation = create_storage(settings, sessionmaker)
    i18n = create_i18n(settings.default_locale)
    bot = create_bot(settings)
    gate = WriteGate.for_engine(engine)
    delivery = NudgeDelivery(
        bot=bot, sessionmaker=sessionmaker, gate=gate, i18n=i18n, clock=system_clock
    )
    nudges = NudgeScheduler(delivery, jobstore_url(settings.database_url))
    dp = create_dispatcher(
        settings=settings,
        sessionmaker=sessionmaker,
        storage=storage,
        events_isolation=isolation,
        i18n=i18n,
        gate=gate,
        planner=nudges,
    )
    try:
        me = await bot.get_me()
        logger.info("Starting @%s (id %s) in polling mode", me.username, me.id)
        await register_commands(bot, i18n)
        await bot.delete_webhook(drop_pending_updates=False)
        nudges.start()
        # On SQLite updates take turns anyway (one writer); handling each before fetching the
        # next batch means an update is confirmed to Telegram only once it has been handled,
        # so a crash (even kill -9) loses nothing: the update comes again after a restart.
        await dp.start_polling(
            bot,
            allowed_updates=dp.resolve_used_update_types(),
            handle_as_tasks=not settings.is_sqlite,
        )
    finally:
        nudges.shutdown()
        await bot.session.close()
        await engine.dispose()


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    upgrade(settings.database_url)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
