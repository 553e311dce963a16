"""The /stats chart as a PNG, drawn without a display.

matplotlib's object-oriented API with the Agg canvas: no pyplot, no global state, safe to run
in a worker thread. The labels come translated from the caller; the bundled DejaVu Sans font
has Cyrillic, so nothing depends on the fonts of the machine.

matplotlib is imported on the first chart, not with the bot: it takes about a second and
some 50 MB, which a bot that is never asked for statistics need not pay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Final

from bot.domain.intake import Outcome
from bot.domain.stats import Stats

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SIZE: Final = (1080, 1080)
"""Pixels: square, the shape Telegram shows widest on a phone."""
DPI: Final = 100
TITLE_SIZE: Final = 36
SECTION_SIZE: Final = 30
LABEL_SIZE: Final = 27
VALUE_SIZE: Final = 30
TEXT: Final = "#222222"
MUTED: Final = "#666666"
TRACK: Final = "#F1F1F1"
OUTCOME_COLOURS: Final = {
    Outcome.REJECTED: "#E4572E",
    Outcome.WAITING: "#F3A712",
    Outcome.OFFER: "#29A35A",
    Outcome.SILENT: "#8D99AE",
}
FUNNEL_COLOURS: Final = ("#2E5E8C", "#3F7FBF", "#6FA8DC")
BAR_HEIGHT: Final = 0.42


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every text on the chart, already in the person's language."""

    title: str
    outcomes_title: str
    outcomes: Mapping[Outcome, str]
    funnel_title: str
    funnel: tuple[str, str, str]  # interviews, requests sent, answered


def _bars(ax: Axes, title: str, rows: Sequence[tuple[str, int, str]], scale_max: int) -> None:
    """Horizontal bars, top to bottom, each with its label above and its value at the end."""
    count = len(rows)
    # Plain texts, not ``set_title``: a title makes matplotlib measure the (hidden) ticks.
    ax.text(
        0,
        1.02,
        title,
        transform=ax.transAxes,
        fontsize=SECTION_SIZE,
        color=TEXT,
        fontweight="bold",
        va="bottom",
    )
    for index, (label, value, colour) in enumerate(rows):
        y = count - 1 - index
        ax.barh(y, scale_max, height=BAR_HEIGHT, color=TRACK, align="center")
        ax.barh(y, value, height=BAR_HEIGHT, color=colour, align="center")
        ax.text(0, y + BAR_HEIGHT / 2 + 0.06, label, fontsize=LABEL_SIZE, color=TEXT, va="bottom")
        ax.text(
            value + scale_max * 0.02,
            y,
            str(value),
            fontsize=VALUE_SIZE,
            color=TEXT if value else MUTED,
            va="center",
            fontweight="bold",
        )
    ax.set_xlim(0, scale_max * 1.18)
    ax.set_ylim(-0.45, count - 0.05)
    ax.set_axis_off()


def render_chart(stats: Stats, labels: ChartLabels, size: tuple[int, int] = SIZE) -> bytes:
    """Interviews by outcome and the funnel interviews → requests sent → answers, as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - see above
    from matplotlib.figure import Figure  # noqa: PLC0415

    width, height = size
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.suptitle(
        labels.title, fontsize=TITLE_SIZE, color=TEXT, fontweight="bold", x=0.06, ha="left", y=0.975
    )
    outcomes = [
        (labels.outcomes[outcome], count, OUTCOME_COLOURS[outcome])
        for outcome, count in stats.by_outcome
    ]
    funnel = [
        (label, value, colour)
        for label, value, colour in zip(labels.funnel, stats.funnel, FUNNEL_COLOURS, strict=True)
    ]
    scale_max = max(1, stats.total, *(count for _label, count, _colour in outcomes))
    grid = figure.add_gridspec(
        2,
        1,
        height_ratios=(len(outcomes), len(funnel)),
        left=0.06,
        right=0.96,
        top=0.84,
        bottom=0.03,
        hspace=0.32,
    )
    _bars(figure.add_subplot(grid[0]), labels.outcomes_title, outcomes, scale_max)
    _bars(figure.add_subplot(grid[1]), labels.funnel_title, funnel, scale_max)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
