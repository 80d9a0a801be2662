"""What the database holds, on SQLite and PostgreSQL: no readable content, extracted text or
search word of any document (only ciphertexts and keyed digests), ciphertexts bound to their
row, nothing readable with another key; and the refusal to run without a proper key outside
development (services, HTTP app).

The documents are real public texts (tests/security/world.py) under SYNTHETIC titles.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from econsec.api import create_app
from econsec.council.search import terms as search_terms
from econsec.council.service import Council
from econsec.errors import ConfigError, DataError
from econsec.security import crypto
from econsec.security.service import Security
from econsec.settings import Settings
from econsec.store.app import open_app_store
from tests.security.world import (
    BACKENDS,
    KEY,
    OTHER_KEY,
    PAPER,
    World,
    backend,
    build_world,
    folded,
    settings_for,
    signatures,
)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with backend(request.param, tmp_path) as url:
        built = build_world(url, tmp_path, people=("rita",))
        yield built
        built.close()


def dump(world: World) -> str:
    """Every value of every table, as text (bytes decoded leniently), case-folded."""
    parts: list[str] = []
    engine = world.security.app.engine
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "replace"))
                        parts.append(bytes(value).decode("utf-16", "replace"))
                    else:
                        parts.append(str(value))
    return folded("\n".join(parts))


def passages(data: bytes) -> list[str]:
    """Runs of 24 characters from the text: any of them in the database would be a leak."""
    body = re.sub(r"\s+", " ", folded(data.decode("utf-8"))).strip()
    return [body[i : i + 24] for i in range(0, max(len(body) - 24, 1), 97)]


def test_no_content_text_or_search_word_is_readable_in_the_database(world: World) -> None:
    held = re.sub(r"\s+", " ", dump(world))
    for key, data in world.data.items():
        for word in signatures()[key]:
            assert word not in held, (key, word)
        leaked = [p for p in passages(data) if p in held]
        assert not leaked, (key, leaked[:3])
    # Titles are metadata and stored in clear (docs/security.md says so): the dump sees them,
    # which shows that it reads the tables it should.
    assert folded(PAPER["A3"].title) in held


def test_the_raw_sqlite_file_holds_no_content(tmp_path: Path) -> None:
    """The file itself, free pages and journal included (PostgreSQL's files belong to the
    server; its rows are checked above)."""
    world = build_world(f"sqlite:///{tmp_path / 'app.db'}", tmp_path, people=("rita",))
    world.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("app.db*"))
    assert PAPER["A3"].title.encode() in raw
    for key, data in world.data.items():
        for word in signatures()[key]:
            assert word.encode() not in raw.lower(), (key, word)
        for passage in passages(data)[:20]:
            assert passage.encode() not in raw.lower()


def test_search_terms_are_keyed_digests(world: World) -> None:
    with world.security.app.engine.connect() as conn:
        terms = {str(r[0]) for r in conn.execute(text("SELECT term FROM council_terms"))}
    assert len(terms) > 500
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in terms)
    for key in world.data:
        for word in signatures()[key]:
            assert word not in terms
            for term in search_terms(word):  # indexed (Japanese: by character pairs)
                assert world.security.keys.term(term) in terms, (word, term)


def test_the_same_file_twice_gives_different_ciphertexts(world: World) -> None:
    data = world.data["A1"]
    ada = world.actor("ada")
    first = world.council.put(
        ada, "council-a", data, "a.md", title="Twin 1 (synthetic)", level="public"
    )
    second = world.council.put(
        ada, "council-a", data, "a.md", title="Twin 2 (synthetic)", level="public"
    )
    with world.security.app.engine.connect() as conn:
        blobs = [
            bytes(
                conn.execute(
                    text(f"SELECT content FROM council_versions WHERE document_id = {d['id']}")
                ).scalar_one()
            )
            for d in (first, second)
        ]
    assert blobs[0] != blobs[1] and len(blobs[0]) == len(data) + 12 + 16  # nonce + tag


def test_a_ciphertext_moved_to_another_row_or_altered_does_not_decrypt(world: World) -> None:
    ada = world.actor("ada")
    a1, a3 = world.id("A1"), world.id("A3")
    engine = world.security.app.engine
    with engine.begin() as conn:
        blob = conn.execute(
            text(f"SELECT content FROM council_versions WHERE document_id = {a3}")
        ).scalar_one()
        conn.execute(
            text(f"UPDATE council_versions SET content = :b WHERE document_id = {a1}"), {"b": blob}
        )
    with pytest.raises(DataError, match=f"document:{a1}:v1 does not decrypt"):
        world.council.download(ada, a1)
    altered = bytearray(bytes(blob))
    altered[40] ^= 1
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE council_versions SET content = :b WHERE document_id = {a3}"),
            {"b": bytes(altered)},
        )
    with pytest.raises(DataError, match="does not decrypt"):
        world.council.download(ada, a3)
    assert world.council.download(ada, world.id("A4"))[2] == world.data["A4"]


def test_another_key_reads_nothing(world: World) -> None:
    other = Security(
        settings_for(world.url, world.settings.home, secret_key=OTHER_KEY),
        open_app_store(world.url),
    )
    try:
        council = Council(other)
        ada = other.actor("ada")
        with pytest.raises(DataError, match="does not decrypt"):
            council.download(ada, world.id("A3"))
        assert council.search(ada, signatures()["A3"][0]) == []
    finally:
        other.app.dispose()


def test_tokens_do_not_survive_a_key_change(world: World) -> None:
    world.security.set_password("operator:tests", "rita", "synthetic-passphrase-for-rita")
    token, _ = world.security.sign_in("rita", "synthetic-passphrase-for-rita")
    other = Security(
        settings_for(world.url, world.settings.home, secret_key=OTHER_KEY),
        open_app_store(world.url),
    )
    try:
        assert world.security.resolve(token) is not None
        assert other.resolve(token) is None
    finally:
        other.app.dispose()


# -- the key --------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["production", "test"])
def test_no_key_outside_development_is_refused(tmp_path: Path, env: str) -> None:
    settings = Settings(home=tmp_path, env=env)
    with pytest.raises(ConfigError, match="ECONSEC_SECRET_KEY is not set"):
        crypto.check_secret(settings)
    with pytest.raises(ConfigError, match="refusing to run"):
        Security(settings, open_app_store(f"sqlite:///{tmp_path / 'app.db'}"))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("short-key", "shorter than 32"),
        (crypto.DEVELOPMENT_KEY, "public development key"),
    ],
)
def test_weak_or_public_keys_are_refused_in_production(
    tmp_path: Path, key: str, message: str
) -> None:
    settings = Settings(home=tmp_path, env="production", secret_key=key)
    with pytest.raises(ConfigError, match=message):
        crypto.check_secret(settings)


def test_development_runs_on_the_public_key_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(home=tmp_path, env="development")
    assert crypto.check_secret(settings) == crypto.DEVELOPMENT_KEY
    with caplog.at_level(logging.WARNING, logger="econsec.security.crypto"):
        crypto.keys(settings)
    assert "development key" in caplog.text
    assert crypto.check_secret(Settings(home=tmp_path, env="production", secret_key=KEY)) == KEY


def test_the_server_refuses_to_start_without_a_key_in_production(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, env="production"), warm_screener=False)
    with pytest.raises(ConfigError, match="ECONSEC_SECRET_KEY"), TestClient(app):
        pass  # pragma: no cover - startup fails first
    good = create_app(
        Settings(home=tmp_path, env="production", secret_key=KEY), warm_screener=False
    )
    with TestClient(good) as client:
        assert client.get("/health").status_code == 200
