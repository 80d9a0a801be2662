"""XML files read as a stream, shared by the UN, OFAC (sdnList) and EU (FSF) readers.

:class:`XmlStream` feeds the parser line by line, so a malformed file fails with the parser's line
and a record's problem names the line its element starts on; processed elements are released, so
memory stays flat on large lists. :func:`text` and :func:`iso_date` read an element's values.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from econsec.errors import DataError


class XmlStream:
    """The elements of an XML file as the parser reaches them, namespaces stripped from tags.

    The file is fed to the parser line by line, so each element knows the line its start tag
    ends on (:meth:`line`) and a parse error names the parser's own line and column.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines: dict[ET.Element, int] = {}

    def events(self) -> Iterator[tuple[str, ET.Element]]:
        """``("start" | "end", element)`` pairs; DataError if the XML is not well-formed."""
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
        line = 0
        try:
            with self.path.open("rb") as handle:
                for line, raw in enumerate(handle, 1):
                    parser.feed(raw)
                    yield from self._read(parser, line)
                parser.close()
                yield from self._read(parser, line)
        except ET.ParseError as exc:
            message = str(exc).split(": line")[0]
            line = exc.position[0]
            raise DataError(f"malformed XML: {message}", path=self.path, line=line) from None

    def _read(
        self, parser: ET.XMLPullParser[ET.Element], line: int
    ) -> Iterator[tuple[str, ET.Element]]:
        for item in parser.read_events():
            event, elem = item[0], item[-1]
            if not isinstance(elem, ET.Element):  # only start/end were asked for
                continue
            if event == "start":
                elem.tag = elem.tag.rpartition("}")[2]
                self._lines[elem] = line
            yield event, elem

    def line(self, elem: ET.Element) -> int | None:
        """The line an element's start tag ends on."""
        return self._lines.get(elem)

    def release(self, elem: ET.Element) -> None:
        """Forget a processed element and its children (streaming keeps memory flat)."""
        for child in elem.iter():
            self._lines.pop(child, None)
        elem.clear()

    def error(
        self, message: str, elem: ET.Element, field: str, got: str | None = None
    ) -> DataError:
        """A DataError at this element's line."""
        return DataError(message, path=self.path, line=self.line(elem), field=field, got=got)


def text(elem: ET.Element, tag: str) -> str:
    """A child's text with runs of whitespace (publishers wrap long values) made single spaces."""
    return " ".join((elem.findtext(tag) or "").split())


def iso_date(stream: XmlStream, elem: ET.Element, value: str, field: str) -> str:
    """``YYYY-MM-DD`` from ``2001-01-25`` or ``2001-01-25-05:00``; DataError otherwise."""
    try:
        return datetime.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise stream.error("not a date", elem, field, got=value) from None
