"""The two languages of the web pages: English (the message ids) and Japanese (a gettext
catalogue, ``locale/ja/LC_MESSAGES/messages.po``, compiled in memory when first used).

The language of a request: the ``econsec_lang`` cookie (set by the switch in the page header and
remembered), else the browser's ``Accept-Language``, else English. Numbers and dates are
formatted for the language with Babel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LANGUAGES = ("en", "ja")
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
COOKIE = "econsec_lang"
HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"


def N_(message: str) -> str:
    """Mark a message id for the catalogue without translating it here."""
    return message


#: Message ids the templates translate from data (levels, roles, kinds, outcomes, sections).
DYNAMIC = (
    N_("public"),
    N_("internal"),
    N_("confidential"),
    N_("secret"),
    N_("top_secret"),
    N_("admin"),
    N_("official"),
    N_("reviewer"),
    N_("analyst"),
    N_("researcher"),
    N_("observer"),
    N_("file"),
    N_("note"),
    N_("ok"),
    N_("denied"),
    N_("failed"),
    N_("Know"),
    N_("Protect"),
    N_("Promote"),
    N_("Cases"),
    N_("Councils"),
    N_("Data"),
    N_("Thing"),
    N_("Person"),
    N_("Organization"),
    N_("Company"),
    N_("Vessel"),
    N_("true_positive"),
    N_("false_positive"),
    N_("product"),
    N_("import_value"),
    N_("n_suppliers"),
    N_("hhi"),
    N_("top_supplier"),
    N_("top_supplier_share"),
    N_("world_export_hhi"),
    N_("dependent"),
    N_("Supplier shares of import value, %(importer)s %(year)s"),
    N_("Products imported and dependent, by year"),
    N_("Products imported"),
    N_("Dependent products"),
    N_("products"),
    N_("queued"),
    N_("running"),
    N_("succeeded"),
    N_("active"),
    N_("superseded"),
    N_("removed"),
    N_("Supply lost by the most exposed importers if %(exporter)s stops, %(year)s"),  # scenario
    N_("installation"),  # what a case's state permits, or its effects
    N_("publication_suspended"),
    N_("withdrawal_barred"),
    N_("working_needs_permission"),
    N_("foreign_filing_barred"),
)


def messages() -> list[str]:
    """Every message id of the pages: ``_("...")`` in the templates and :data:`DYNAMIC`."""
    from babel.messages.extract import extract_from_dir

    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            HERE / "templates", method_map=[("**.html", "jinja2")]
        )
        if isinstance(message, str)
    }
    return sorted(found | set(DYNAMIC))


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` (English: the message ids themselves)."""
    if language == "en":
        return NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The language of a request."""
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.split("-")[0].lower()))
    for _, tag in sorted(ranked, key=lambda r: -r[0]):
        if tag in LANGUAGES:
            return tag
    return "en"


@dataclass(frozen=True)
class Locale:
    """What templates use to speak the request's language."""

    language: str

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.language).gettext(message)
        return text % values if values else text

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return ""
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt, locale=self.language)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return ""
        return format_percent(value, format="#,##0." + "0" * digits + "%", locale=self.language)

    def datetime(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_datetime(value, format="medium", locale=self.language, tzinfo=UTC) + " UTC"

    def date(self, value: date | str | None) -> str:
        """A day in the language's medium form (2025/04/30, Apr 30, 2025)."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, format="medium", locale=self.language)

    def pick(self, names: dict[str, str]) -> str:
        """The entry of a ``{"en": ..., "ja": ...}`` mapping in the language (else English)."""
        return names.get(self.language) or names.get("en") or ""

    def name(self, record: object, field: str = "name") -> str:
        """``name_ja`` / ``name_en`` of policy records, in the reader's language when present."""
        get = record.get if isinstance(record, dict) else lambda k, d=None: getattr(record, k, d)
        preferred = get(f"{field}_{self.language}") or get(f"{field}_en") or get(field)
        return str(preferred or "")
