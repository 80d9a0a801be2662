"""Uploaded files kept on disk only while a request reads them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile


@contextmanager
def uploaded(*uploads: UploadFile, default: str = "upload") -> Iterator[list[Path]]:
    """Each upload written to a temporary folder of its own under the base name the user sent
    (``default`` when it has none), so that a reader's errors name the user's file; all of
    them removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="econsec-upload-") as tmp:
        paths = []
        for n, upload in enumerate(uploads):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            target = folder / (Path(upload.filename or default).name or default)
            with target.open("wb") as sink:
                shutil.copyfileobj(upload.file, sink)
            paths.append(target)
        yield paths
