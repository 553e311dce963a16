"""/stats: outcomes, requests, answers and what feedback asks for — as text, and as a chart
from three interviews on."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.db.models import User
from bot.services.insights import Insights
from bot.telegram.views.charts import render_chart
from bot.telegram.views.stats import chart_labels, stats_text

CHART_FILE = "stats.png"


async def cmd_stats(message: Message, user: User, insights: Insights) -> None:
    stats = await insights.stats(user)
    await message.answer(stats_text(stats))
    if stats.has_chart:
        # CPU work of a tenth of a second: off the event loop, so other updates keep flowing.
        png = await asyncio.to_thread(render_chart, stats, chart_labels())
        await message.answer_photo(BufferedInputFile(png, filename=CHART_FILE))


def create_router() -> Router:
    router = Router(name="stats")
    router.message.register(cmd_stats, Command("stats"))
    return router
