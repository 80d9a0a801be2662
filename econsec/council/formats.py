"""Media types and limits shared by the document readers (:mod:`~econsec.council.extract`)."""

from __future__ import annotations

import zipfile
import zlib

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
CSV = "text/csv"
HTML = "text/html"
JSON = "application/json"

MAX_TEXT_CHARS = 5_000_000
"""Longest text kept (characters, after normalisation); the rest is cut, ``truncated`` set."""
MAX_UNZIPPED_BYTES = 200_000_000
"""Most bytes all members of a .docx/.xlsx/.pptx may unpack to together."""
MAX_ZIP_MEMBERS = 10_000

#: What a damaged ZIP can raise from zipfile and zlib.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
              EOFError, OSError, ValueError, zlib.error)  # fmt: skip
