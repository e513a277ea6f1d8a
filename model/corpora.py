"""Load labelled corpora (YouTube CSV, SMS TSV, the project's CSV) as plain records."""

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# What a record is: the fields the model reads of a comment (no IP or user agent). The service
# reads and sends exactly these.
RECORD_FIELDS = ("content", "author_name", "author_email", "author_url", "post_id")
YOUTUBE_HEADER = ("COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS")
PROJECT_COLUMNS = ("content", "label", *RECORD_FIELDS[1:])
_LABELS = {"spam": 1, "1": 1, "ham": 0, "0": 0}


class CorpusError(ValueError):
    """A corpus file or a labelled record cannot be read."""


@dataclass
class Dataset:
    """Labelled records with the source (group) and weight of each row."""

    records: list[dict] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)

    def add(self, record: Mapping, label: int, group: str, weight: float = 1.0) -> None:
        """Append one labelled record."""
        self.records.append(as_record(record))
        self.labels.append(label)
        self.groups.append(group)
        self.weights.append(weight)

    def extend(self, other: "Dataset") -> None:
        """Append every row and source of another dataset."""
        self.records += other.records
        self.labels += other.labels
        self.groups += other.groups
        self.weights += other.weights
        self.sources += other.sources


def as_record(mapping: Mapping) -> dict:
    """Return a record with exactly the record keys; missing or empty values become None."""
    return {key: (mapping.get(key) or None) for key in RECORD_FIELDS}


def parse_label(value: str, where: str) -> int:
    """Return 1 for spam and 0 for ham, or raise CorpusError naming where the label was."""
    label = _LABELS.get(str(value).strip().lower())
    if label is None:
        raise CorpusError(f"{where}: label {value!r} is not one of spam, ham, 1, 0")
    return label


def _decode(path: Path, data: bytes) -> str:
    """Decode UTF-8 (a leading BOM allowed), naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: not valid UTF-8 ({error.reason})") from None


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, fields) for each CSV row, quoted newlines allowed."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CorpusError(f"{path}:{reader.line_num}: malformed CSV ({error})") from None
        if row:
            yield line, row
        line = reader.line_num + 1


def _youtube(path: Path, text: str, dataset: Dataset) -> None:
    """Read the YouTube Spam Collection layout; the whole file is one source (one video)."""
    rows = _csv_rows(path, text)
    next(rows)
    for line, row in rows:
        if len(row) != len(YOUTUBE_HEADER):
            raise CorpusError(f"{path}:{line}: expected 5 fields, found {len(row)}")
        where = f"{path}:{line}"
        dataset.add(
            {"content": row[3], "author_name": row[1]}, parse_label(row[4], where), path.stem
        )


def _sms(path: Path, text: str, dataset: Dataset) -> None:
    """Read the SMS Spam Collection layout: label, a tab, the text."""
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        label, tab, content = raw.partition("\t")
        if not tab:
            raise CorpusError(f"{path}:{line}: expected 'ham|spam<TAB>text', found no tab")
        dataset.add({"content": content}, parse_label(label, f"{path}:{line}"), path.stem)


def _project(path: Path, text: str, dataset: Dataset) -> None:
    """Read the project's CSV: content,label[,author_name,author_email,author_url,post_id]."""
    rows = _csv_rows(path, text)
    _, header = next(rows)
    header = [name.strip().lower() for name in header]
    for line, row in rows:
        if len(row) != len(header):
            raise CorpusError(f"{path}:{line}: expected {len(header)} fields, found {len(row)}")
        values = dict(zip(header, row, strict=True))
        dataset.add(values, parse_label(values["label"], f"{path}:{line}"), path.stem)


def detect_format(path: Path, text: str) -> str:
    """Return "youtube", "sms" or "project" from a file's first line."""
    first = text.split("\n", 1)[0].strip()
    header = tuple(name.strip() for name in next(csv.reader([first]), []))
    if header == YOUTUBE_HEADER:
        return "youtube"
    if tuple(name.lower() for name in header[:2]) == PROJECT_COLUMNS[:2]:
        extra = set(name.lower() for name in header) - set(PROJECT_COLUMNS)
        if extra:
            raise CorpusError(f"{path}:1: unknown columns {sorted(extra)}")
        return "project"
    if first.partition("\t")[0].strip().lower() in ("ham", "spam"):
        return "sms"
    raise CorpusError(
        f"{path}:1: unknown format; expected a YouTube Spam Collection header, "
        f"'content,label,...' or 'ham|spam<TAB>text'"
    )


_READERS = {"youtube": _youtube, "sms": _sms, "project": _project}


def load(path: str | Path) -> Dataset:
    """Load one corpus file of any supported format."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"{path}: cannot read ({error.strerror})") from None
    text = _decode(path, data)
    kind = detect_format(path, text)
    dataset = Dataset()
    _READERS[kind](path, text, dataset)
    if not dataset.records:
        raise CorpusError(f"{path}: no rows")
    dataset.sources.append(
        {
            "name": path.stem,
            "file": path.name,
            "format": kind,
            "rows": len(dataset.labels),
            "spam": sum(dataset.labels),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    )
    return dataset


def load_all(paths: Iterable[str | Path]) -> Dataset:
    """Load and concatenate several corpus files."""
    dataset = Dataset()
    for path in paths:
        dataset.extend(load(path))
    return dataset


def labelled(records: Iterable[Mapping], group: str = "labelled") -> Dataset:
    """Build a dataset from mappings with record keys plus "label" and optional "weight"."""
    dataset = Dataset()
    for index, item in enumerate(records):
        where = f"{group} record {index}"
        weight = 1.0 if item.get("weight") is None else float(item["weight"])
        if weight <= 0:
            raise CorpusError(f"{where}: weight must be positive, got {weight}")
        dataset.add(
            item, parse_label(item.get("label", ""), where), item.get("group") or group, weight
        )
    if dataset.records:
        dataset.sources.append(
            {
                "name": group,
                "format": "records",
                "rows": len(dataset.labels),
                "spam": sum(dataset.labels),
            }
        )
    return dataset
