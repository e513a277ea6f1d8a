"""The stats page's charts, drawn server-side by matplotlib as SVG (nothing from a CDN)."""

import io
from collections import Counter
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display; must precede any figure

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..tables import Status

# The same hues as the console's badges and buttons, so a status reads the same everywhere.
COLOURS = {
    Status.APPROVED: "#1a7f37",
    Status.PENDING: "#9a6700",
    Status.REJECTED: "#57606a",
    Status.SPAM: "#cf222e",
}
INK = "#24292f"


def _figure(title: str) -> tuple[Figure, object]:
    figure = Figure(figsize=(6.4, 3.2), layout="constrained")
    axes = figure.subplots()
    axes.set_title(title, loc="left", fontsize=11, color=INK)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8, colors=INK)
    return figure, axes


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _day_axis(axes, days: list[date]) -> list[int]:
    """Put the days on the x axis, labelling about ten of them; return their positions."""
    positions = list(range(len(days)))
    step = max(1, len(days) // 10)
    axes.set_xticks(positions[::step], [day.strftime("%d %b") for day in days[::step]])
    axes.set_xlim(-0.6, len(days) - 0.4)
    return positions


def outcomes(days: list[date], per_day: dict[date, Counter]) -> bytes:
    """Stacked bars: comments received per day, by the status they now have."""
    figure, axes = _figure("Comments per day, by outcome")
    positions = _day_axis(axes, days)
    bottom = [0] * len(days)
    for status, colour in COLOURS.items():
        heights = [per_day.get(day, Counter())[status] for day in days]
        axes.bar(positions, heights, bottom=bottom, color=colour, label=status.value, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.legend(fontsize=8, frameon=False, ncols=4, loc="upper left", bbox_to_anchor=(0, 1.02))
    axes.set_ylim(0, max(bottom, default=0) * 1.25 + 1)  # room for the legend
    return _svg(figure)


def spam_rate(days: list[date], per_day: dict[date, Counter]) -> bytes:
    """A line: the share of each day's comments that are now spam."""
    figure, axes = _figure("Spam rate per day")
    totals = [per_day.get(day, Counter()).total() for day in days]
    rates = [
        per_day[day][Status.SPAM] / total if total else None
        for day, total in zip(days, totals, strict=True)
    ]
    axes.plot(
        _day_axis(axes, days),
        [rate if rate is not None else float("nan") for rate in rates],
        marker="o",
        color=COLOURS[Status.SPAM],
        markersize=3,
    )
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    return _svg(figure)


def histogram(scores: list[float], threshold: float | None) -> bytes:
    """The distribution of spam scores, with the spam threshold drawn on it."""
    figure, axes = _figure("Spam score histogram")
    axes.hist(scores, bins=20, range=(0, 1), color="#0969da", edgecolor="white")
    if threshold is not None:
        axes.axvline(threshold, color=COLOURS[Status.SPAM], linestyle="--", linewidth=1.5)
        axes.annotate(
            f"spam threshold {threshold:.2f}",
            (threshold, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -4),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color=COLOURS[Status.SPAM],
        )
    axes.set_xlabel("spam score", fontsize=8)
    return _svg(figure)


def overturns(counts: Counter) -> bytes:
    """Bars: for each model verdict, how often the moderators agreed or overturned it."""
    figure, axes = _figure("Moderators vs the model")
    verdicts = ("spam", "ham")
    labels = [f"model said {v}" for v in verdicts]
    agreed = [counts[v, v] for v in verdicts]
    overturned = [counts[v, "ham" if v == "spam" else "spam"] for v in verdicts]
    axes.barh(labels, agreed, color=COLOURS[Status.APPROVED], label="moderators agreed")
    axes.barh(labels, overturned, left=agreed, color=COLOURS[Status.SPAM], label="overturned")
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    return _svg(figure)
