"""Figures: one measured value, its baseline and target, and whether it meets the target."""

from dataclasses import asdict, dataclass


@dataclass
class Figure:
    """One line of the results: what was measured, against what, and whether it is ok."""

    name: str
    value: float | None
    unit: str
    target: str | None = None
    baseline: float | None = None
    ratio: float | None = None
    ok: bool | None = None
    note: str = ""

    def as_json(self) -> dict:
        """The figure as the object written to results.json."""
        return asdict(self)


def at_most(name: str, value: float, unit: str, limit: float, **extra) -> Figure:
    """A figure whose value must not exceed a limit."""
    return Figure(
        name, round(float(value), 3), unit, f"<= {limit:g} {unit}", ok=bool(value <= limit), **extra
    )


def ratio_at_least(
    name: str, value: float, baseline: float, unit: str, limit: float, **extra
) -> Figure:
    """A figure whose ratio to a baseline measured in the same run must reach a limit."""
    ratio = value / baseline if baseline else None
    return Figure(
        name,
        round(value, 1),
        unit,
        f"ratio >= {limit:g}",
        baseline=round(baseline, 1),
        ratio=None if ratio is None else round(ratio, 3),
        ok=bool(ratio is not None and ratio >= limit),
        **extra,
    )


def info(name: str, value: float | None, unit: str, **extra) -> Figure:
    """A figure reported for scale, with no target of its own."""
    return Figure(name, None if value is None else round(value, 3), unit, **extra)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "MISS"
    return f"{value:g}" if isinstance(value, float) else str(value)


COLUMNS = ("name", "value", "unit", "baseline", "ratio", "target", "ok", "note")


def table(figures: list[Figure]) -> str:
    """Format figures as a Markdown table (readable on stdout, pasteable into the README)."""
    rows = [[_cell(getattr(f, column)) for column in COLUMNS] for f in figures]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(list(COLUMNS)), rule, *(line(r) for r in rows)])
