"""The project's CSV: labelled comments as the model's corpora hold them, plus their history.

Columns (a header row, any order, UTF-8): content, author_name, author_email, post_id
(required), author_url, and a verdict: status (pending, approved, rejected, spam) or label
(spam, ham, 1, 0: spam or approved), status deciding when a row has both. Optional: id (the
comment's id where it came from) and created_at (ISO 8601; without an offset, UTC; absent,
the time of the import).

The source is "CSV". A row is keyed by its id, so the same id is the same comment whatever
the file is called; a row without one is keyed by a SHA-256 of what it says and where and
by whom (post_id, author_name, author_email, author_url, content, created_at), so importing
the file again, or a later file repeating the row, adds nothing. A row that is repeated
word for word with no id is one comment.
"""

import csv
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from model.corpora import PROJECT_COLUMNS, CorpusError, parse_label

from .. import clock
from ..tables import Status
from . import Imported, ImportFailure, Problem, fields

SOURCE = "CSV"
REQUIRED = ("content", "author_name", "author_email", "post_id")
COLUMNS = (*PROJECT_COLUMNS, "status", "id", "created_at")
# What a row without an id is keyed by: everything it says, but not its verdict, so a
# label corrected in the file does not make the row a second comment.
KEYED = ("post_id", "author_name", "author_email", "author_url", "content", "created_at")


class Rows:
    """A file's rows, read as they are iterated."""

    def __init__(self, path: Path, header: list[str]):
        self.path, self.header = path, header

    def __iter__(self) -> Iterator[Imported | Problem]:
        with _reader(self.path) as rows:
            next(rows, None)  # the header, which read() checked
            for line, row in rows:
                if row:  # not a blank line
                    yield self._row(line, row)

    def _row(self, line: int, row: list[str]) -> Imported | Problem:
        """One row as an Imported comment, or the Problem that keeps it out."""
        where = fields.place(self.path, line)
        if len(row) != len(self.header):
            return Problem(where, f"{len(row)} fields where the header names {len(self.header)}")
        values = dict(zip(self.header, row, strict=True))
        try:
            if values.get("id", "").strip():
                source_id = fields.source_id(values["id"].strip(), "id")
                where += f", id {source_id}"
            else:
                source_id = _digest(values)
            return Imported(
                source_id=source_id,
                post_id=values["post_id"],
                content=values["content"].strip(),
                author_name=values["author_name"].strip(),
                author_email=values["author_email"].strip(),
                created_at=_created(values.get("created_at", "").strip()),
                status=_status(values),
                author_url=fields.optional(values.get("author_url", "").strip()),
                where=where,
            )
        except fields.Refused as refused:
            return Problem(where, str(refused))


@contextmanager
def _reader(path: Path) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """Read a CSV file's rows; a file that cannot be read, or stops being CSV, fails the import.

    The file is decoded line by line, so that a byte that is not UTF-8 is named by its line.
    """
    try:
        file = path.open("rb")
    except OSError as error:
        raise ImportFailure(f"{path}: cannot read ({error.strerror})") from None
    with file:
        reader = csv.reader(_lines(path, file), strict=True)
        yield _rows(path, reader)


def _lines(path: Path, file: BinaryIO) -> Iterator[str]:
    """A file's lines as text, a leading BOM (as spreadsheets write) dropped."""
    for number, line in enumerate(file, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise ImportFailure(f"{path.name} line {number}: not UTF-8 ({error.reason})") from None


def _rows(path: Path, reader) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on; malformed CSV fails the import there."""
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFailure(
            f"{path.name} line {reader.line_num}: malformed CSV ({error})"
        ) from None


def _digest(values: dict[str, str]) -> str:
    """The key of a row without an id: a SHA-256 of what it says."""
    text = "\0".join(values.get(name, "").strip() for name in KEYED)
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}"


def _created(value: str) -> datetime:
    """When the comment was written: created_at, or the import's time when there is none."""
    return fields.moment(value, "created_at") if value else clock.now()


def _status(values: dict[str, str]) -> Status:
    """The row's verdict: its status, or else its label (spam: spam, ham: approved)."""
    status = values.get("status", "").strip().lower()
    if status:
        try:
            return Status(status)
        except ValueError:
            raise fields.Refused(
                f"status {status[:20]!r} is not pending, approved, rejected or spam"
            ) from None
    label = values.get("label", "").strip()
    if not label:
        raise fields.Refused("neither a status nor a label")
    try:
        return Status.SPAM if parse_label(label, "") else Status.APPROVED
    except CorpusError:
        raise fields.Refused(f"label {label[:20]!r} is not spam, ham, 1 or 0") from None


def read(path: Path) -> tuple[str, Rows]:
    """Open the project's CSV: its source name ("CSV") and its rows.

    Reads the header; raises ImportFailure when the file cannot be read or its columns
    are not the project's.
    """
    with _reader(path) as rows:
        _, header = next(rows, (1, None))
    if not header:
        raise ImportFailure(f"{path.name}: empty, not even a header row")
    header = [name.strip().lower() for name in header]
    unknown = sorted(set(header) - set(COLUMNS))
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) < len(header):
        raise ImportFailure(
            f"{path.name} line 1: the header must name each of {', '.join(REQUIRED)} once, "
            f"and may add {', '.join(c for c in COLUMNS if c not in REQUIRED)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
    if "status" not in header and "label" not in header:
        raise ImportFailure(f"{path.name} line 1: no verdict column (status or label)")
    return SOURCE, Rows(path, header)
