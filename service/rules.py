"""Routing: an ordered chain of small checks, each giving a reason a person can read."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Status
from .scoring import Score


@dataclass(frozen=True)
class Decision:
    """A check's verdict: where the comment goes (None: no opinion) and why."""

    status: Status | None
    reason: str


@dataclass(frozen=True)
class Context:
    """What the checks may look at."""

    score: Score
    spam_threshold: float | None


Check = Callable[[Context], Decision | None]


def classifier_check(context: Context) -> Decision | None:
    """Send a comment to spam when its score reaches the threshold."""
    score, threshold = context.score.value, context.spam_threshold
    if score is None or threshold is None:
        return Decision(None, "unscored")
    if score >= threshold:
        return Decision(Status.SPAM, f"score {score:.2f} >= spam threshold {threshold:.2f}")
    return Decision(None, f"score {score:.2f} < spam threshold {threshold:.2f}")


CHECKS: tuple[Check, ...] = (classifier_check,)


def route(context: Context, checks: tuple[Check, ...] = CHECKS) -> tuple[Status, list[str]]:
    """Run the checks in order; the first that decides wins, and every reason is kept."""
    reasons = []
    for check in checks:
        decision = check(context)
        if decision is None:
            continue
        reasons.append(decision.reason)
        if decision.status is not None:
            return decision.status, reasons
    return Status.PENDING, reasons
