"""Read an untrusted XML export piece by piece, each piece with the line it starts on.

An export may be hundreds of megabytes, so the file is never held whole: it is fed to the
parser in chunks and each record is handed on, then dropped, as soon as its end tag is read.
The parser is defusedxml's expat: a DTD (and so any entity, internal or external) is
refused, since no export format holds one and entities are how XML bombs and file reads
are smuggled in.

A format names its containers, the elements whose children are its records (WordPress:
rss, channel, item; Disqus: disqus). `elements` yields each container as its start tag
is read (no children: it only marks where a new one begins) and each other element inside
a container whole, with its descendants.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from . import ImportFailure

CHUNK = 1 << 16
# Text kept of one element: past every limit the API sets (content: 10,000 characters), so a
# value cut here is still refused, yet a hostile file cannot fill memory with one element.
MAX_TEXT = 100_000
# Elements kept of one record: a comment has some twenty (its meta entries included), so a
# hostile file cannot fill memory with one record either; past this, the rest is dropped.
MAX_ELEMENTS = 1_000


@dataclass
class Element:
    """One element: its tag as the format names it, where it starts, its attributes and text.

    within is the tag of the container it sits in; container says whether it is one.
    """

    tag: str
    line: int
    attrs: dict[str, str]
    within: str = ""
    container: bool = False
    children: list["Element"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list, repr=False)
    size: int = 0

    @property
    def text(self) -> str:
        """The element's own text (CDATA included), without surrounding blanks."""
        return "".join(self.parts).strip()

    def find(self, tag: str) -> "Element | None":
        """The first child with that tag, or None."""
        return next((child for child in self.children if child.tag == tag), None)

    def text_of(self, tag: str) -> str:
        """The text of the first child with that tag; "" when there is none."""
        child = self.find(tag)
        return "" if child is None else child.text


class _Builder(ContentHandler):
    """Build each record from SAX events and queue it once complete."""

    def __init__(self, prefixes: dict[str, str], containers: frozenset[str]):
        super().__init__()
        self.prefixes, self.containers = prefixes, containers
        self.ready: list[Element] = []
        self.open: list[Element] = []  # innermost last
        self.kept = 0  # elements of the current record

    def _name(self, name: tuple[str | None, str]) -> str:
        """A namespaced name as "prefix:local" by the format's own prefixes, whatever the file's."""
        uri, local = name
        if uri is None:
            return local
        if uri in self.prefixes:
            prefix = self.prefixes[uri]
            return f"{prefix}:{local}" if prefix else local
        return f"{{{uri}}}{local}"

    def startElementNS(self, name, qname, attrs):
        tag = self._name(name)
        attributes = {self._name(key): value for key, value in attrs.items()}
        element = Element(tag, self._locator.getLineNumber(), attributes)
        parent = self.open[-1] if self.open else None
        if parent is None or parent.container:
            element.within = "" if parent is None else parent.tag
            element.container = parent is None or tag in self.containers
            if element.container:
                self.ready.append(element)
            self.kept = 1
        elif self.kept < MAX_ELEMENTS:
            parent.children.append(element)
            self.kept += 1
        self.open.append(element)

    def endElementNS(self, name, qname):
        element = self.open.pop()
        if not element.container and (not self.open or self.open[-1].container):
            self.ready.append(element)

    def characters(self, content):
        element = self.open[-1] if self.open else None
        if element is not None and not element.container and element.size < MAX_TEXT:
            element.parts.append(content[: MAX_TEXT - element.size])
            element.size += len(element.parts[-1])


def elements(path: Path, prefixes: dict[str, str], containers: frozenset[str]) -> Iterator[Element]:
    """Yield the root, then each container's start and each record, in the file's order.

    prefixes maps each namespace URI the format uses to the prefix its tags are named
    with ("" for none). Raises ImportFailure when the file cannot be read, is not
    well-formed XML (where the fault is), or declares a DTD.
    """
    builder = _Builder(prefixes, containers)
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True)
    parser.setContentHandler(builder)
    builder.setDocumentLocator(parser)  # feed(), unlike parse(), leaves this to its caller
    try:
        with path.open("rb") as file:
            parser.feed(b"")  # starts the parser, so that close() refuses an empty file too
            while chunk := file.read(CHUNK):
                parser.feed(chunk)
                yield from _drain(builder)
            parser.close()
            yield from _drain(builder)
    except OSError as error:
        raise ImportFailure(f"{path}: cannot read ({error.strerror})") from None
    except SAXParseException as error:
        raise ImportFailure(
            f"{path.name} line {error.getLineNumber()}: not well-formed XML ({error.getMessage()})"
        ) from None
    except DefusedXmlException:
        raise ImportFailure(
            f"{path.name}: declares a DTD, which no export holds; refused, since entities "
            "declared there could expand without bound or read other files"
        ) from None


def _drain(builder: _Builder) -> Iterator[Element]:
    """Hand on the records completed so far, forgetting them."""
    ready, builder.ready = builder.ready, []
    yield from ready
