"""The econsec exception tree.

Every error a user can cause is an :class:`EconsecError`; its message says what failed, which
item (file, line, field, id) and what was expected. The CLI prints the message and exits non-zero;
the HTTP API returns it as JSON with ``status_code``.

    EconsecError
    ├── ConfigError        settings or environment are wrong
    ├── DataError          a source file cannot be loaded (names file, line, field)
    ├── NotFound           a named thing does not exist
    ├── Conflict           the request clashes with the current state
    ├── StoreBusy          another process holds the store
    ├── MissingDependency  an optional extra (spark, postgres) is not installed
    ├── AccessDenied       the actor may not do this
    ├── Unauthenticated    no valid sign-in
    └── InvalidInput       a request or query is empty or absurd
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class EconsecError(Exception):
    """Base class: a failure the user can understand and act on."""

    status_code = 500

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the API returns for this error."""
        return {"error": type(self).__name__, "message": self.message, "detail": self.detail}


class ConfigError(EconsecError):
    """A setting or the environment is invalid."""

    status_code = 500


class DataError(EconsecError):
    """A source file is malformed or inconsistent; nothing was changed in the store.

    ``line`` is a physical line of a text file (the header is line 1); ``row`` is a 1-based data
    row of a file without lines (Parquet).
    """

    status_code = 422

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: str | None = None,
    ) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        text = f"{', '.join(where)}: {message}" if where else message
        if got is not None:
            text += f"; got {got!r}"
        if expected is not None:
            text += f"; expected {expected}"
        super().__init__(
            text,
            path=None if path is None else str(path),
            line=line,
            row=row,
            field=field,
            expected=expected,
            got=got,
        )
        self.path = path
        self.line = line
        self.row = row
        self.field = field


class NotFound(EconsecError):
    """A named dataset, record or file does not exist."""

    status_code = 404


class Conflict(EconsecError):
    """The request clashes with the current state (e.g. a missing prerequisite dataset)."""

    status_code = 409


class StoreBusy(EconsecError):
    """Another process holds the store (usually a load in progress)."""

    status_code = 503


class MissingDependency(EconsecError):
    """An optional extra is needed; the message says which one to install."""

    status_code = 501


class AccessDenied(EconsecError):
    """The actor may not perform this action."""

    status_code = 403


class InvalidInput(EconsecError):
    """A request or query cannot be served as given (empty name, unknown schema, bad date)."""

    status_code = 422


class Unauthenticated(EconsecError):
    """The request carries no valid session or token."""

    status_code = 401
