"""What a file source checks of a record beyond the API's own checks, which the store runs.

The store refuses what a submission would be refused for (a missing email, a name too long);
a file source refuses first what only it can judge or what the API never sees: an id the
import could not key the comment by, a time that is no time, a verdict it cannot read.
"""

from datetime import UTC, datetime
from pathlib import Path

import marshmallow as ma

from .. import schemas
from ..tables import Comment
from . import ImportFailure

# The longest source name and id the store can key a comment by (comments.import_source
# and import_id).
MAX_SOURCE_NAME = Comment.__table__.c.import_source.type.length
MAX_SOURCE_ID = Comment.__table__.c.import_id.type.length


class Refused(ValueError):
    """A record that cannot be imported; the message says why, for the person importing."""


def place(path: Path, line: int) -> str:
    """Where a record is, for messages: "export.xml line 120"."""
    return f"{path.name} line {line}"


def source_name(name: str, path: Path) -> str:
    """Return a file's source name, or fail the import if the store could not keep it."""
    if len(name) > MAX_SOURCE_NAME:
        raise ImportFailure(f"{path.name}: its source name is over {MAX_SOURCE_NAME} characters")
    return name


def source_id(value: str, what: str) -> str:
    """Return a record's id in its source, or refuse one the import cannot key it by."""
    if not value:
        raise Refused(f"no {what}")
    if len(value) > MAX_SOURCE_ID:
        raise Refused(f"{what} is longer than {MAX_SOURCE_ID} characters")
    return value


def moment(value: str, what: str) -> datetime:
    """Read an ISO 8601 time (without an offset: UTC) as an aware UTC datetime, or refuse it."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{what} {value[:40]!r} is not a date and time (ISO 8601)") from None
    try:
        return schemas.moment(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    except ma.ValidationError as error:
        raise Refused(f"{what} {value!r}: {' '.join(error.messages)}") from None


def optional(value: str) -> str | None:
    """An optional field as the API holds it: None when the source left it empty."""
    return value or None
