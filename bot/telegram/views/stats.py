"""How /stats reads: the numbers as text, and the labels of the chart."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal, format_percent

from bot.domain.stats import Stats
from bot.telegram.i18n import ngettext
from bot.telegram.views.charts import ChartLabels
from bot.telegram.views.interviews import OUTCOME_EMOJI, OUTCOME_LABELS
from bot.telegram.views.journal import AREA_NAMES


def _locale() -> str:
    return str(get_i18n().current_locale)


def days_text(days: float) -> str:
    """``1 день``, ``2 дня``, ``5 дней``, ``2,5 дня`` / ``1 day``, ``2.5 days``.

    A whole number takes its plural form from ``ngettext``. A fraction is not a count, so
    plural rules keyed by an integer do not apply: Russian puts any decimal fraction in the
    genitive singular («0,5 дня», «2,5 дня», «11,5 дня»), English in the plural («1.5 days»),
    which is the separate message ``{days} days`` translated once per language.
    """
    if float(days).is_integer():
        whole = int(days)
        return ngettext("{count} day", "{count} days", whole).format(count=whole)
    return _("{days} days").format(days=format_decimal(days, format="0.#", locale=_locale()))


def stats_text(stats: Stats) -> str:
    title = _("📊 <b>Your statistics</b>")
    if not stats.total:
        return "\n".join(
            [title, "", _("You have no interviews yet. Tap «➕ New interview» or send /new.")]
        )
    interviews = ngettext("📁 {count} interview", "📁 {count} interviews", stats.total).format(
        count=stats.total
    )
    if stats.archived:
        interviews = _("{interviews}, {archived} of them in the archive").format(
            interviews=interviews, archived=stats.archived
        )
    lines = [title, "", interviews]
    lines += [
        f"{OUTCOME_EMOJI[outcome]} {OUTCOME_LABELS[outcome]}: {count}"
        for outcome, count in stats.by_outcome
        if count
    ]
    lines.append("")
    if not stats.requests_sent:
        lines.append(_("📨 No feedback requests sent yet. /draft shows the letter to send now."))
    else:
        lines.append(
            ngettext(
                "📨 {count} feedback request sent",
                "📨 {count} feedback requests sent",
                stats.requests_sent,
            ).format(count=stats.requests_sent)
        )
    if stats.responses:
        lines.append(
            ngettext(
                "💬 {count} answer received", "💬 {count} answers received", stats.responses
            ).format(count=stats.responses)
        )
    if stats.response_rate is not None:
        rate = format_percent(stats.response_rate, locale=_locale())
        lines.append(_("📈 Response rate: {rate}").format(rate=rate))
    if stats.median_days is not None:
        lines.append(
            _("⏱ They usually answer within {days}").format(days=days_text(stats.median_days))
        )
    if stats.top_areas:
        lines += ["", _("🎯 Feedback most often says to work on:")]
        for area, count in stats.top_areas:
            mentioned = ngettext(
                "mentioned in {count} interview", "mentioned in {count} interviews", count
            ).format(count=count)
            lines.append(f"• {AREA_NAMES[area]}: {mentioned}")
        lines.append(_("/plan turns them into next steps."))
    return "\n".join(lines)


def chart_labels() -> ChartLabels:
    return ChartLabels(
        title=_("Your interviews"),
        outcomes_title=_("By outcome"),
        outcomes={outcome: str(label) for outcome, label in OUTCOME_LABELS.items()},
        funnel_title=_("From interview to answer"),
        funnel=(_("Interviews"), _("Feedback requests sent"), _("Answers to requests")),
    )
