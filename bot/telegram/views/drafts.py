"""What the bot says around a draft: its title and the notes above it."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.domain.intake import Outcome
from bot.drafting.render import MAX_AREAS, Draft, DraftContext, Kind, cyrillic_fields

NO_DECISION_YET = frozenset({Outcome.WAITING.value, Outcome.SILENT.value})


def request_title(context: DraftContext) -> str | None:
    """The request's title when it asks about the status (no decision yet), else None."""
    if context.outcome in NO_DECISION_YET:
        return _("📝 <b>Asking about the decision</b>")
    return None


def _field_names(fields: tuple[str, ...]) -> str:
    names = {
        "company": _("the company"),
        "position": _("the position"),
        "contact": _("the contact's name"),
        "signature": _("your signature"),
    }
    return ", ".join(names[field] for field in fields)


def russian_fields_note(context: DraftContext, draft: Draft) -> str | None:
    """Said above an English draft that shows what the person typed in Cyrillic.

    The draft keeps it as typed (a transliteration would be a guess the recruiter sees);
    the person learns which fields those are and where to write them in English.
    """
    fields = cyrillic_fields(context, draft)
    if not fields:
        return None
    text = _("🔤 The draft is in English, but these are in Russian: {fields}.").format(
        fields=_field_names(fields)
    )
    if set(fields) - {"signature"}:
        text += " " + _("To write them in English, tap «📄 Interview» → «✏️ Edit».")
    if "signature" in fields:
        text += " " + _("The signature is changed in /settings.")
    return text


def draft_notes(kind: Kind, context: DraftContext, draft: Draft) -> list[str]:
    """Notes shown above the draft's text."""
    notes: list[str] = []
    if kind is Kind.REQUEST and len(dict.fromkeys(context.priorities)) > MAX_AREAS:
        notes.append(
            _(
                "🎯 To keep the letter short, it asks about the first two of your choices "
                "only; ask about the others once they answer."
            )
        )
    note = russian_fields_note(context, draft)
    if note:
        notes.append(note)
    return notes
