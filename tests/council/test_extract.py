"""Text extraction from uploads, over real public text.

Real inputs (skipped when ../shared/data is absent): the METI Russia export-control page text
(``screening/jp_meti/page_content.txt``, METI, via opensanctions/opensanctions), the screening
``PROVENANCE.md``, METI's End User List Excel download (``jp_meti_end_user_list_2025-09-29.xlsx``),
the BACI country codes CSV and an ECCN JSON test set; their origins and licences are in the
PROVENANCE.md next to each. The data has no PDF, DOCX or PPTX, so the tests build synthetic
containers around the real text: a minimal PDF writer, and ZIPs with the minimal OOXML parts.
"""

from __future__ import annotations

import io
import json
import random
import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from econsec.council import extract, office
from econsec.council.extract import (
    CSV,
    DOCX,
    HTML,
    JSON,
    MARKDOWN,
    PDF,
    PPTX,
    TEXT,
    XLSX,
    extract_text,
    normalise,
)
from econsec.errors import InvalidInput
from tests.conftest import shared_file

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


# --- real inputs -------------------------------------------------------------------------------


@pytest.fixture
def meti_page() -> str:
    """The METI Russia export-control page (Japanese), as published in UTF-8."""
    return shared_file("screening/jp_meti/page_content.txt").read_text(encoding="utf-8")


@pytest.fixture
def provenance() -> str:
    return shared_file("screening/PROVENANCE.md").read_text(encoding="utf-8")


@pytest.fixture
def end_user_list() -> Path:
    return shared_file("screening/jp_official/jp_meti_end_user_list_2025-09-29.xlsx")


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def ascii_lines(text: str, count: int) -> list[str]:
    """The first ``count`` ASCII prose lines (the minimal PDF writer below writes ASCII only)."""
    found = [line for line in lines_of(text) if line.isascii() and not line.startswith("|")]
    return found[:count]


# --- synthetic containers of real text ---------------------------------------------------------


def build_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF 1.4: catalog, page tree, Helvetica, one content stream per page."""

    def literal(line: str) -> str:
        return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>",
        # WinAnsiEncoding as word processors write it: in StandardEncoding ' and ` are curly.
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        stream = "BT /F1 9 Tf 12 TL 30 800 Td " + " ".join(f"{literal(x)} Tj T*" for x in lines)
        stream += " ET"
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n"
    return bytes(out + trailer.encode("ascii"))


def build_zip(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(main: str, part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    )


def package_rels(part: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="{part}"/></Relationships>'
    )


def w_paragraph(*runs: str) -> str:
    return (
        "<w:p>"
        + "".join(f"<w:r><w:t xml:space='preserve'>{escape(r)}</w:t></w:r>" for r in runs)
        + "</w:p>"
    )


def build_docx(paragraphs: list[str], body_extra: str = "") -> bytes:
    """word/document.xml with one w:p per line; the first line split over two runs."""
    first, rest = paragraphs[0], paragraphs[1:]
    body = w_paragraph(first[:10], first[10:]) + "".join(w_paragraph(p) for p in rest)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{body}{body_extra}</w:body>'
        "</w:document>"
    )
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return build_zip(
        {
            "[Content_Types].xml": content_types(main, "word/document.xml"),
            "_rels/.rels": package_rels("word/document.xml"),
            "word/document.xml": document,
        }
    )


def build_pptx(slides: list[list[str]], order: list[int]) -> bytes:
    """Slides ``slide1.xml``...; ``order`` lists slide numbers as p:sldIdLst shows them."""
    ids = "".join(f'<p:sldId id="{256 + n}" r:id="rId{n}"/>' for n in order)
    presentation = (
        f'<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="{P}" xmlns:r="{R}">'
        f"<p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{R}/slide" Target="slides/slide{n}.xml"/>'
        for n in range(1, len(slides) + 1)
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "ppt/presentation.xml",
        ),
        "_rels/.rels": package_rels("ppt/presentation.xml"),
        "ppt/presentation.xml": presentation,
        "ppt/_rels/presentation.xml.rels": f'<Relationships xmlns="{RELS}">{rels}</Relationships>',
    }
    for n, lines in enumerate(slides, 1):
        paras = "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in lines)
        parts[f"ppt/slides/slide{n}.xml"] = (
            f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return build_zip(parts)


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_in_order(provenance: str) -> None:
    lines = ascii_lines(provenance, 24)
    got = extract_text(build_pdf([lines[:12], lines[12:]]), "provenance.pdf")
    assert (got.media_type, got.pages, got.truncated) == (PDF, 2, False)
    assert "Real public snapshots of sanctions / export-control lists, plus labelled" in got.text
    positions = [got.text.find(normalise(line)) for line in lines]
    assert -1 not in positions and positions == sorted(positions)


def test_pdf_encryption(provenance: str) -> None:
    lines = ascii_lines(provenance, 5)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf([lines]))))
    writer.encrypt(user_password="", owner_password="council", algorithm="AES-128")
    open_ = io.BytesIO()
    writer.write(open_)
    # An empty user password (print/copy restrictions only) opens like any PDF.
    assert normalise(lines[0]) in extract_text(open_.getvalue(), "restricted.pdf").text

    writer.encrypt(user_password="secret", owner_password="council", algorithm="AES-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(InvalidInput, match=r"^locked\.pdf: .*needs a password"):
        extract_text(locked.getvalue(), "locked.pdf")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_pdf_truncated(provenance: str, keep: float) -> None:
    data = build_pdf([ascii_lines(provenance, 30)])
    with pytest.raises(InvalidInput, match=r"^report\.pdf: not a readable PDF"):
        extract_text(data[: int(len(data) * keep)], "report.pdf")


def test_random_bytes_named_pdf() -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(InvalidInput, match=r"^scan\.pdf: not a PDF \(no %PDF- header\)"):
        extract_text(data, "scan.pdf")


# --- Office Open XML ---------------------------------------------------------------------------


def test_docx_paragraphs(meti_page: str) -> None:
    paragraphs = lines_of(meti_page)[:12]
    table = f"<w:tbl><w:tr><w:tc>{w_paragraph('対象地域・貨物')}</w:tc></w:tr></w:tbl>"
    # A text box is stored twice (mc:Choice and mc:Fallback); a deletion is tracked.
    box = w_paragraph("経済産業省 安全保障貿易管理")
    textbox = (
        f"<w:p><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:txbxContent>{box}"
        f"</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent>{box}</w:txbxContent>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:p><w:del><w:r><w:delText>削除された文</w:delText></w:r></w:del></w:p>"
    )
    got = extract_text(build_docx(paragraphs, table + textbox), "briefing.docx")
    assert got.media_type == DOCX and got.pages is None
    assert got.text.split("\n")[: len(paragraphs)] == [normalise(p) for p in paragraphs]
    assert "2022年3月18日より、ロシア等への輸出の一部について" in got.text
    assert got.text.count("経済産業省 安全保障貿易管理") == 1
    assert "削除された文" not in got.text


def test_pptx_slides_follow_presentation_order(provenance: str) -> None:
    headings = [line.lstrip("# ") for line in lines_of(provenance) if line.startswith("## ")]
    slides = [headings[0:2], headings[2:4], headings[4:6]]
    got = extract_text(build_pptx(slides, order=[3, 1, 2]), "deck.pptx")
    assert (got.media_type, got.pages) == (PPTX, 3)
    expected = [normalise(h) for h in slides[2] + slides[0] + slides[1]]
    assert got.text.split("\n") == expected
    assert "`ofac/` — US Treasury OFAC" in got.text


def test_xlsx_end_user_list(end_user_list: Path) -> None:
    got = extract_text(end_user_list.read_bytes(), end_user_list.name)
    assert got.media_type == XLSX and got.pages is None and not got.truncated
    for phrase in [
        "ユーザーリスト",
        "Al Qa'ida/Islamic Army",
        "Candid General Trading LLC",
        "DES INTERNATIONAL CO., LTD.",
        "Delta Engineering Concern FZE (DEC)",  # full-width parentheses in the sheet
        "民族経済協力連合会",
        "Nanjing University of Science and Technology(NUST)(南京理工大学)",
    ]:
        assert phrase in got.text
    # Phonetic readings (rPh, furigana) of the kanji names are not text of the cell.
    assert "ミンゾク" not in got.text and "ナンキンリコウダイガク" not in got.text
    # The No. column is a formula; its cached value is what the sheet shows.
    assert "\n1 アフガニスタン\nIslamic Republic of Afghanistan Al Qa'ida/Islamic Army" in got.text


def test_xlsx_every_string_cell_matches_openpyxl(end_user_list: Path) -> None:
    got = extract_text(end_user_list.read_bytes(), "list.xlsx").text
    workbook = openpyxl.load_workbook(end_user_list, read_only=True)
    cells = [
        normalise(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and not value.startswith("=")
    ]
    workbook.close()
    assert len(cells) > 2000
    assert [cell for cell in cells if cell not in got] == []


def test_ooxml_detected_by_content_not_name(end_user_list: Path) -> None:
    got = extract_text(end_user_list.read_bytes(), "upload", media_type="application/octet-stream")
    assert got.media_type == XLSX


# --- text formats ------------------------------------------------------------------------------


def test_utf8_text_is_nfkc(meti_page: str) -> None:
    got = extract_text(meti_page.encode("utf-8"), "meti.txt")
    assert got.media_type == TEXT
    assert "２０２２年３月１８日" in meti_page and "2022年3月18日" in got.text
    assert (
        "外国為替及び外国貿易法" in got.text and "経済産業大臣の承認が必要になりました" in got.text
    )
    assert "  " not in got.text and "\n\n" not in got.text


def test_cp932_text_equals_utf8(meti_page: str) -> None:
    # Shift_JIS has no NO-BREAK SPACE; 〜 (U+FF5E) exists only in CP932, as Windows writes it.
    page = meti_page.replace("\xa0", " ")
    cp932 = extract_text(page.encode("cp932"), "meti.txt")
    assert cp932.text == extract_text(page.encode("utf-8"), "meti.txt").text
    assert "ベラルーシを仕向地とするもの" in cp932.text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_bom_texts_equal_utf8(provenance: str, encoding: str) -> None:
    data = provenance.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    got = extract_text(data, "PROVENANCE.md")
    assert got.media_type == MARKDOWN
    assert got.text == extract_text(provenance.encode("utf-8"), "PROVENANCE.md").text
    assert got.text.startswith("# Screening test data: where each file came from")


def test_html_without_scripts(meti_page: str) -> None:
    lines = lines_of(meti_page)[:6]
    page = (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>ロシア等への輸出"
        "</title><style>body { font-family: 'Meiryo' }</style><script>var tracking = 'gtag';"
        "</script></head><body><h1>" + escape(lines[0]) + "</h1><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in lines[1:])
        + "</ul><p>経済産業省&nbsp;&amp;&#x20;外務省</p></body></html>"
    )  # fmt: skip
    got = extract_text(page.encode("utf-8"), "law05", media_type="text/html; charset=utf-8")
    assert got.media_type == HTML
    assert got.text.split("\n") == [
        "ロシア等への輸出",
        *map(normalise, lines),
        "経済産業省 & 外務省",
    ]
    assert "gtag" not in got.text and "Meiryo" not in got.text
    # Without a name or media type, an HTML document is recognised by its start.
    assert extract_text(page.encode("cp932"), "upload").media_type == HTML


def test_csv_cells() -> None:
    path = shared_file("trade/baci_country_codes_V202301.csv")
    got = extract_text(path.read_bytes(), path.name)
    assert got.media_type == CSV
    assert "\n4 Afghanistan Afghanistan AF AFG\n" in got.text


def test_json_keys_and_values() -> None:
    path = shared_file("export_control/labelled/eccn_agent_sample_test_cases_47.json")
    got = extract_text(path.read_bytes(), path.name)
    assert got.media_type == JSON
    first = json.loads(path.read_bytes())["test_cases"][0]
    assert f"product_description: {normalise(first['product_description'])}" in got.text
    assert "ground_truth: EAR99" in got.text
    assert "{" not in got.text.split("\n")[0]


def test_text_detection_falls_back_to_media_type_then_sniffing(provenance: str) -> None:
    data = provenance.encode("utf-8")
    assert extract_text(data, "notes", media_type="text/markdown").media_type == MARKDOWN
    assert extract_text(data, "notes").media_type == TEXT
    assert extract_text(data, "notes.txt", media_type=PDF).media_type == TEXT


def test_long_text_is_truncated(provenance: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 1000)
    got = extract_text(provenance.encode("utf-8"), "PROVENANCE.md")
    assert got.truncated and len(got.text) == 1000
    assert not extract_text(b"short", "a.txt").truncated


@given(st.text())
@example("e\x00\u0301 \u3000\r\n\u2028x")
def test_normalise_is_idempotent_and_collapses_whitespace(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and not re.search(r"\s\s", once)


# --- refused inputs ----------------------------------------------------------------------------


def test_doctype_in_docx_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body>'
        "</w:document>"
    )
    data = build_zip({"word/document.xml": bomb})
    with pytest.raises(InvalidInput, match=r"^laughs\.docx: word/document\.xml: .*DOCTYPE"):
        extract_text(data, "laughs.docx")


def set_sizes(data: bytes, size: int) -> bytes:
    """Rewrite every declared uncompressed size (local and central headers) to ``size``."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), out):
            struct.pack_into("<I", out, match.start() + offset, size)
    return bytes(out)


def test_zip_declaring_huge_member_is_refused(meti_page: str) -> None:
    data = set_sizes(build_docx(lines_of(meti_page)[:3]), 0xF000_0000)
    with pytest.raises(
        InvalidInput, match=r"^big\.docx: refused: 3 members would unpack to 12,079,595,520 bytes"
    ):
        extract_text(data, "big.docx")


def test_zip_unpacking_beyond_limit_is_refused(
    meti_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4 MB of real text compresses to a few kB; the limit is lowered to keep the test fast.
    monkeypatch.setattr(office, "MAX_UNZIPPED_BYTES", 1_000_000)
    data = build_docx(lines_of(meti_page) * 200)
    assert len(data) < 200_000
    with pytest.raises(InvalidInput, match=r"^big\.docx: refused: .*limit is 1,000,000 bytes"):
        extract_text(data, "big.docx")
    # Declared sizes that lie low are caught while reading (the CRC no longer matches).
    with pytest.raises(InvalidInput, match=r"^big\.docx: a damaged ZIP"):
        extract_text(set_sizes(data, 1000), "big.docx")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "minutes.txt", r"^minutes\.txt: empty file"),
        (random.Random(1).randbytes(2048), "blob.bin", r"^blob\.bin: unsupported file type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old.doc", r"^old\.doc: a legacy"),
        (b"\x81\x00 binary \xff\xfe", "notes.txt", r"^notes\.txt: .*expected UTF-8"),
        (b'{"a": [1, 2', "data.json", r"^data\.json: not valid JSON"),
        (b"[" * 100_000, "deep.json", r"^deep\.json: not valid JSON"),
        (b"plain words", "slides.pptx", r"^slides\.pptx: not a \.pptx file \(not a ZIP\)"),
        (b"PK\x03\x04" + bytes(100), "cut.xlsx", r"^cut\.xlsx: not a readable ZIP"),
        (b"<p>x</p><![foo[ y ]]>", "page.html", r"^page\.html: HTML that cannot be parsed"),
    ],
)
def test_bad_inputs_name_the_file(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        extract_text(data, filename)


def test_truncated_xlsx(end_user_list: Path) -> None:
    data = end_user_list.read_bytes()
    with pytest.raises(InvalidInput, match=r"^list\.xlsx: not a readable ZIP"):
        extract_text(data[: len(data) // 2], "list.xlsx")


def test_zip_without_office_parts(provenance: str) -> None:
    data = build_zip({"PROVENANCE.md": provenance})
    with pytest.raises(InvalidInput, match=r"^bundle\.zip: a ZIP but not a Word"):
        extract_text(data, "bundle.zip")


def test_malformed_xml_in_docx(meti_page: str) -> None:
    data = build_zip({"word/document.xml": f"<w:document xmlns:w='{W}'>{meti_page[:200]}"})
    with pytest.raises(InvalidInput, match=r"^memo\.docx: word/document\.xml: malformed XML"):
        extract_text(data, "memo.docx")


def damaged(data: bytes, rng: random.Random) -> bytes:
    """``data`` with a few byte ranges replaced by random bytes.

    Inside a ZIP one XML member is damaged and the ZIP re-packed, so that the damage reaches the
    XML reader instead of failing the CRC check.
    """
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts: dict[str, str | bytes] = {n: archive.read(n) for n in archive.namelist()}
        name = rng.choice(sorted(n for n in parts if n.endswith((".xml", ".rels"))))
        parts[name] = damaged(bytes(parts[name]), rng)
        return build_zip(parts)
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        start = rng.randrange(len(out))
        out[start : start + rng.randint(0, 30)] = rng.randbytes(rng.randint(0, 10))
    return bytes(out)


def damaged_copies(data: bytes, seed: str, count: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    return (damaged(data, rng) for _ in range(count))


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".pptx", ".xlsx"])
def test_damaged_files_raise_only_invalid_input(
    suffix: str, provenance: str, meti_page: str, end_user_list: Path
) -> None:
    original = {
        ".pdf": build_pdf([ascii_lines(provenance, 20)]),
        ".docx": build_docx(lines_of(meti_page)[:10]),
        ".pptx": build_pptx([lines_of(meti_page)[:2], lines_of(meti_page)[2:4]], order=[2, 1]),
        ".xlsx": end_user_list.read_bytes(),
    }[suffix]
    refused = 0
    for data in damaged_copies(original, suffix, 15 if suffix == ".xlsx" else 60):
        try:
            extract_text(data, "upload" + suffix)
        except InvalidInput:
            refused += 1
    assert refused > 0
