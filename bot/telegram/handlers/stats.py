"""/stats: outcomes, requests, answers and what feedback asks for — as text, and as a chart
from three interviews on."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview, JournalEntry, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from bot.domain.journal import EntryFacts
from bot.domain.stats import InterviewFacts, compute_stats
from bot.telegram.views.charts import render_chart
from bot.telegram.views.stats import chart_labels, stats_text

CHART_FILE = "stats.png"


def interview_facts(interview: Interview) -> InterviewFacts:
    return InterviewFacts(
        outcome=interview.outcome,
        request_sent_at=interview.request_sent_at,
        reply=interview.reply,
        replied_at=interview.replied_at,
        archived=interview.archived_at is not None,
    )


def entry_facts(entry: JournalEntry) -> EntryFacts:
    return EntryFacts(
        entry.interview_id,
        entry.kind,
        tuple(entry.areas or ()),
        entry.sentiment,
        entry.text,
        entry.created_at,
    )


async def cmd_stats(message: Message, session: AsyncSession, user: User) -> None:
    interviews = await InterviewRepository(session).all_for_user(user.id)
    entries = await JournalRepository(session).for_user(user.id)
    stats = compute_stats(
        [interview_facts(i) for i in interviews], [entry_facts(e) for e in entries]
    )
    await message.answer(stats_text(stats))
    if stats.has_chart:
        # CPU work of a tenth of a second: off the event loop, so other updates keep flowing.
        png = await asyncio.to_thread(render_chart, stats, chart_labels())
        await message.answer_photo(BufferedInputFile(png, filename=CHART_FILE))


def create_router() -> Router:
    router = Router(name="stats")
    router.message.register(cmd_stats, Command("stats"))
    return router
