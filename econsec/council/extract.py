"""Plain text from an uploaded document, for the full-text search index.

:func:`extract_text` works out the format from the bytes (magic numbers first, then the file
name's extension, then the media type the client sent) and returns :class:`Extracted`:

* PDF through ``pypdf``: every page's text, pages joined by newlines;
* Word, Excel and PowerPoint (.docx, .xlsx, .pptx) read as ZIP + XML with the standard library;
* plain text, Markdown, CSV, HTML (tags, scripts and styles removed) and JSON (its keys and
  values), decoded as UTF-8 (with or without BOM), UTF-16/32 with BOM, or Shift_JIS (CP932).

The input is untrusted. Office files are read by :mod:`~econsec.council.office` within the
limits of :mod:`~econsec.council.formats` (ZIP size, no XML DOCTYPE), and any parser failure on
bad bytes becomes :class:`~econsec.errors.InvalidInput` naming the file and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from pypdf import PasswordType, PdfReader

from econsec.council.formats import (
    CSV,
    DOCX,
    HTML,
    JSON,
    MARKDOWN,
    MAX_TEXT_CHARS,
    PDF,
    PPTX,
    TEXT,
    XLSX,
)
from econsec.council.office import Package, ooxml
from econsec.errors import InvalidInput

_OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
_EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".csv": CSV,
    ".html": HTML,
    ".htm": HTML,
    ".json": JSON,
}
_MEDIA_TYPES = {
    **{media: media for media in _EXTENSIONS.values()},
    "application/x-pdf": PDF,
    "text/x-markdown": MARKDOWN,
    "application/xhtml+xml": HTML,
    "text/json": JSON,
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXPECTED = "PDF, DOCX, XLSX, PPTX or text (UTF-8, UTF-16 with BOM, Shift_JIS)"
# A ZIP that is not OOXML, a truncated one, or a member whose bytes do not match its CRC.


@dataclass(frozen=True, slots=True)
class Extracted:
    """Text of one document.

    ``text`` is NFKC-normalised (full-width digits and letters become ASCII, half-width kana
    full-width) with each whitespace run collapsed to one newline if it held a line break, else
    one space. ``pages`` is the PDF page count or the PPTX slide count, ``None`` for other
    formats. ``truncated`` says the text was cut at :data:`MAX_TEXT_CHARS`.
    """

    text: str
    media_type: str
    pages: int | None = None
    truncated: bool = False


def extract_text(data: bytes, filename: str, media_type: str | None = None) -> Extracted:
    """The searchable text of ``data``, an upload called ``filename``.

    Text beyond :data:`MAX_TEXT_CHARS` characters is dropped and ``truncated`` is set; reading
    also stops early once the raw text is four times that long. A scanned PDF without a text
    layer gives empty text (there is no OCR). Raises :class:`InvalidInput` naming the file for an
    empty, unsupported, corrupt or password-protected file.
    """
    if not data:
        raise InvalidInput(f"{filename}: empty file; expected {_EXPECTED}", file=filename)
    kind = _detect(data, filename, media_type)
    pages: int | None = None
    if kind == PDF:
        parts, pages = _pdf(data, filename)
    elif kind in _OOXML_PARTS:
        parts, pages = ooxml(data, filename, kind)
    else:
        kind, parts = _text(data, filename, kind)
    text, cut = _collect(parts)
    text = normalise(text)
    if len(text) > MAX_TEXT_CHARS:
        text, cut = text[:MAX_TEXT_CHARS], True
    return Extracted(text=text, media_type=kind, pages=pages, truncated=cut)


def normalise(text: str) -> str:
    """NFKC, control characters dropped, whitespace runs collapsed to one space or newline."""
    # Controls go before NFKC: one between a letter and its accent would block composition.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").translate(_LINE_BREAKS))
    text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub(lambda run: "\n" if "\n" in run.group() else " ", text).strip()


_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "\n"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]")
_SPACE = re.compile(r"\s+")


def _detect(data: bytes, filename: str, media_type: str | None) -> str:
    """The format by magic bytes, else extension, else declared media type, else ``""``."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, filename)
    if data.startswith(_OLE2):
        raise InvalidInput(
            f"{filename}: a legacy Office file (.doc/.xls/.ppt) is not supported; "
            "save it as .docx, .xlsx or .pptx",
            file=filename,
        )
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = "." + stem.rsplit(".", 1)[-1].lower() if "." in stem else ""
    declared = (media_type or "").split(";", 1)[0].strip().lower()
    kind = _EXTENSIONS.get(suffix) or _MEDIA_TYPES.get(declared, "")
    if kind == PDF:
        raise InvalidInput(f"{filename}: not a PDF (no %PDF- header)", file=filename)
    if kind in _OOXML_PARTS:
        raise InvalidInput(f"{filename}: not a {suffix or kind} file (not a ZIP)", file=filename)
    return kind


def _zip_kind(data: bytes, filename: str) -> str:
    names = Package(data, filename).names
    for kind, part in _OOXML_PARTS.items():
        if part in names:
            return kind
    raise InvalidInput(
        f"{filename}: a ZIP but not a Word, Excel or PowerPoint document "
        f"(none of {', '.join(_OOXML_PARTS.values())})",
        file=filename,
    )


def _collect(parts: Iterable[str]) -> tuple[str, bool]:
    """Join ``parts`` with newlines, stopping once they exceed four times the text limit."""
    budget, kept = 4 * MAX_TEXT_CHARS, []
    for part in parts:
        kept.append(part)
        budget -= len(part) + 1
        if budget < 0:
            return "\n".join(kept), True
    return "\n".join(kept), False


# --- PDF ---------------------------------------------------------------------------------------


def _pdf(data: bytes, filename: str) -> tuple[Iterator[str], int]:
    # pypdf raises many exception types on damaged files (PdfReadError, but also KeyError,
    # ValueError, RecursionError...), so everything it raises is a bad file here.
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
        pages = 0 if locked else len(reader.pages)
    except Exception as exc:
        raise InvalidInput(f"{filename}: not a readable PDF (truncated?)", file=filename) from exc
    if locked:
        raise InvalidInput(f"{filename}: the PDF is encrypted and needs a password", file=filename)
    return _pdf_pages(reader, pages, filename), pages


def _pdf_pages(reader: PdfReader, pages: int, filename: str) -> Iterator[str]:
    for number in range(pages):
        try:
            text = reader.pages[number].extract_text()
        except Exception as exc:
            raise InvalidInput(
                f"{filename}: page {number + 1} of the PDF cannot be read", file=filename
            ) from exc
        yield text


def _text(data: bytes, filename: str, kind: str) -> tuple[str, Iterator[str]]:
    text = decode(data)
    if text is None:
        expected = "UTF-8, UTF-16 with BOM or Shift_JIS text" if kind else _EXPECTED
        raise InvalidInput(f"{filename}: unsupported file type; expected {expected}", file=filename)
    if not kind:
        head = text.lstrip()[:15].lower()
        kind = HTML if head.startswith(("<!doctype html", "<html")) else TEXT
    if kind == HTML:
        return kind, iter(_html(text, filename))
    if kind == JSON:
        return kind, _json(text, filename)
    if kind == CSV:
        return kind, iter([_csv(text)])
    return kind, iter([text])


def decode(data: bytes) -> str | None:
    """``data`` as UTF-8 (BOM optional), UTF-32/16 with BOM or CP932; ``None`` if none fits.

    Text that decodes to NUL characters is refused: it is binary, or UTF-16 without a BOM.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encodings = ["utf-32"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp932"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


class _HTMLText(HTMLParser):
    """Collects text outside script, style and template; block elements start new lines."""

    HIDDEN = frozenset({"script", "style", "template"})
    BLOCKS = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "div", "dl",
                        "dt", "figcaption", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
                        "title", "tr", "ul"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts.append("\n" if tag in self.BLOCKS else " " if tag in ("td", "th") else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        self.parts.append("\n" if tag in self.BLOCKS else "")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _html(text: str, filename: str) -> list[str]:
    parser = _HTMLText()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # _markupbase asserts on some broken markup
        message = f"{filename}: HTML that cannot be parsed ({exc})"
        raise InvalidInput(message, file=filename) from exc
    return ["".join(parser.parts)]


def _json(text: str, filename: str) -> Iterator[str]:
    """One line per scalar, ``key: value`` inside objects, in document order."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"{filename}: not valid JSON ({exc})", file=filename) from None
    stack: list[tuple[str | None, object]] = [(None, value)]
    while stack:
        key, item = stack.pop()
        prefix = "" if key is None else f"{key}: "
        if isinstance(item, dict):
            if key is not None:
                yield key
            stack.extend(reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((key, element) for element in reversed(item))
        elif isinstance(item, bool):
            yield prefix + ("true" if item else "false")
        elif item is not None:
            yield prefix + str(item)


def _csv(text: str) -> str:
    """Cells separated by tabs, one row per line; the raw text if the CSV is malformed."""
    try:
        return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))
    except csv.Error:
        return text
