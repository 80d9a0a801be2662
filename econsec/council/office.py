"""Text of Word, Excel and PowerPoint files (.docx, .xlsx, .pptx), read as ZIP + XML.

Only the standard library is used, so the limits hold for every format: the ZIP may unpack to
at most :data:`~econsec.council.formats.MAX_UNZIPPED_BYTES` (checked against the declared sizes
and again while reading) and XML with a DOCTYPE is refused, so no entity can be declared or
expanded (:func:`parse_xml`). Word: body, footnotes and endnotes (tables and text boxes
included, fallback copies and tracked deletions left out); PowerPoint: slides in the
presentation's order; Excel: each sheet's name, then a line per row (furigana readings left
out).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import NoReturn
from xml.etree import ElementTree as ET
from xml.parsers import expat

from econsec.council.formats import (
    DOCX,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_MEMBERS,
    PPTX,
    ZIP_ERRORS,
)
from econsec.errors import InvalidInput


def ooxml(data: bytes, filename: str, kind: str) -> tuple[Iterator[str], int | None]:
    # Parts are read eagerly so that ZIP and XML errors surface here, not while collecting.
    package = Package(data, filename)
    try:
        if kind == DOCX:
            docx = ["word/document.xml", "word/footnotes.xml", "word/endnotes.xml"]
            return iter([line for part in docx for line in _paragraphs(package.xml(part))]), None
        if kind == PPTX:
            slides = [_paragraphs(package.xml(slide)) for slide in _slides(package)]
            return iter([line for slide in slides for line in slide]), len(slides)
        return iter(_workbook(package)), None
    except ZIP_ERRORS as exc:
        raise InvalidInput(f"{filename}: a damaged ZIP (truncated?)", file=filename) from exc


class Package:
    """The members of an OOXML ZIP, read within :data:`MAX_UNZIPPED_BYTES`."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.filename = filename
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except ZIP_ERRORS as exc:
            message = f"{filename}: not a readable ZIP (truncated?)"
            raise InvalidInput(message, file=filename) from exc
        declared = sum(info.file_size for info in infos)
        if len(infos) > MAX_ZIP_MEMBERS or declared > MAX_UNZIPPED_BYTES:
            self._refuse(f"{len(infos):,} members would unpack to {declared:,} bytes")
        self.names = {info.filename for info in infos}
        self.left = MAX_UNZIPPED_BYTES

    def _refuse(self, what: str) -> NoReturn:
        raise InvalidInput(
            f"{self.filename}: refused: {what}; the limit is {MAX_UNZIPPED_BYTES:,} bytes "
            f"and {MAX_ZIP_MEMBERS:,} members (zip bomb?)",
            file=self.filename,
        )

    def xml(self, name: str) -> ET.Element | None:
        """The parsed member ``name``, or ``None`` if absent."""
        if name not in self.names:
            return None
        # Declared sizes may lie. zipfile stops at the declared size (then fails the CRC); the
        # bounded read is a second line in case it ever does not.
        with self.zip.open(name) as member:
            raw = member.read(self.left + 1)
        self.left -= len(raw)
        if self.left < 0:
            self._refuse(f"members unpack to more than {MAX_UNZIPPED_BYTES:,} bytes")
        return parse_xml(raw, f"{self.filename}: {name}")

    def targets(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id to (type, member path), from the ``_rels`` file of ``part``.

        The type is the last segment of the relationship type URI (``slide``, ``worksheet``).
        """
        folder, base = posixpath.split(part)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return {}
        found = {}
        for rel in rels:
            target = rel.get("Target", "")
            if rel.get("TargetMode") != "External" and target:
                path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                kind = rel.get("Type", "").rpartition("/")[2]
                found[rel.get("Id", "")] = (kind, posixpath.normpath(path))
        return found


class _Doctype(Exception):
    pass


def parse_xml(raw: bytes, where: str) -> ET.Element:
    """Parse XML with expat, refusing any DOCTYPE (so no entity can be declared or expanded).

    Tags are ``{namespace}local`` as in :mod:`xml.etree`. Raises :class:`InvalidInput` with
    ``where`` in the message.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def forbid(*_: object) -> None:
        raise _Doctype

    def start(name: str, attrs: dict[str, str]) -> None:
        builder.start(_qname(name), {_qname(key): value for key, value in attrs.items()})

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_qname(name))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(raw, True)
        return builder.close()
    except _Doctype:
        raise InvalidInput(f"{where}: XML with a DOCTYPE is refused (entity expansion)") from None
    except expat.ExpatError as exc:
        raise InvalidInput(f"{where}: malformed XML ({exc})") from None


def _qname(name: str) -> str:
    return "{" + name if "}" in name else name


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _walk(root: ET.Element, skip: frozenset[str]) -> Iterator[tuple[ET.Element, bool]]:
    """Depth-first ``(element, entering)`` events without recursion, skipping ``skip`` subtrees."""
    stack: list[tuple[ET.Element, bool]] = [(root, True)]
    while stack:
        element, entering = stack.pop()
        if entering and _local(element.tag) in skip:
            continue
        yield element, entering
        if entering:
            stack.append((element, False))
            stack.extend((child, True) for child in reversed(element))


# mc:Fallback repeats mc:Choice (text boxes), rPh is an Excel phonetic (furigana) reading.
_SKIP = frozenset({"Fallback", "rPh"})


def _paragraphs(root: ET.Element | None) -> list[str]:
    """One line per w:p or a:p paragraph (text boxes nested in a paragraph come first)."""
    if root is None:
        return []
    lines: list[str] = []
    open_: list[list[str]] = []
    for element, entering in _walk(root, _SKIP):
        name = _local(element.tag)
        if name == "p":
            if entering:
                open_.append([])
            else:
                lines.append("".join(open_.pop()))
        elif entering and open_:
            if name == "t":
                open_[-1].append(element.text or "")
            elif name == "tab":
                open_[-1].append("\t")
            elif name in ("br", "cr"):
                open_[-1].append("\n")
    return lines


def _slides(package: Package) -> list[str]:
    """Slide members in presentation order (p:sldIdLst), else by number in the name."""
    presentation = package.xml("ppt/presentation.xml")
    targets = package.targets("ppt/presentation.xml")
    ids = [
        _rel_id(element)
        for element in (presentation.iter() if presentation is not None else ())
        if _local(element.tag) == "sldId"
    ]
    slides = [targets[i][1] for i in ids if i in targets]
    if slides:
        return slides
    pattern = re.compile(r"ppt/slides/slide(\d+)\.xml")
    found = [(int(m.group(1)), m.group()) for n in package.names if (m := pattern.fullmatch(n))]
    return [name for _, name in sorted(found)]


def _rel_id(element: ET.Element) -> str:
    """The ``r:id`` attribute, whichever relationships namespace (transitional or strict)."""
    for key, value in element.attrib.items():
        if key.startswith("{") and key.endswith("}id") and "relationships" in key:
            return value
    return ""


def _workbook(package: Package) -> list[str]:
    """Each sheet's name, then one line per row of cell values (formulas give cached values)."""
    workbook = package.xml("xl/workbook.xml")
    targets = package.targets("xl/workbook.xml")
    strings = [path for kind, path in targets.values() if kind == "sharedStrings"]
    shared_root = package.xml(strings[0] if strings else "xl/sharedStrings.xml")
    shared = [_inline(si) for si in (shared_root if shared_root is not None else ())]
    lines = []
    for sheet in workbook.iter() if workbook is not None else ():
        path = targets.get(_rel_id(sheet), ("", ""))[1]
        if _local(sheet.tag) != "sheet" or not path:
            continue
        lines.append(sheet.get("name", ""))
        root = package.xml(path)
        for row in root.iter() if root is not None else ():
            if _local(row.tag) == "row":
                values = (_cell(cell, shared) for cell in row if _local(cell.tag) == "c")
                lines.append("\t".join(value for value in values if value))
    return lines


def _inline(element: ET.Element) -> str:
    """The text of a shared or inline string, without its phonetic runs."""
    events = _walk(element, _SKIP)
    return "".join(e.text or "" for e, entering in events if entering and _local(e.tag) == "t")


def _cell(cell: ET.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    children = {_local(child.tag): child for child in cell}
    if kind == "inlineStr":
        return _inline(children["is"]) if "is" in children else ""
    value = children["v"].text if "v" in children else None
    if value is None or kind == "e":
        return ""
    if kind == "s":
        index = int(value) if value.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else ""
    if kind == "b":
        return "TRUE" if value.strip() == "1" else "FALSE"
    return value


# --- Text formats ------------------------------------------------------------------------------
