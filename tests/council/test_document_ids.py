"""Document ids and version numbers no store can hold name nothing: NotFound, audited like any
missing document; a listing offset no store can hold is InvalidInput. (They overflowed the
SQLite driver before: a 500 over HTTP, found by tests/api/test_openapi_fuzz.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from econsec.errors import InvalidInput, NotFound
from econsec.security.policy import Actor
from econsec.store.app import MAX_ID
from tests.security.world import World, build_world

PROBE = b"A plain text version with nothing classified in it.\n"  # synthetic
ABSURD = (0, -1, 2**63, 2**64, -(2**63) - 1)
OPS: dict[str, Callable[[World, Actor, int], Any]] = {
    "get": lambda w, a, i: w.council.get(a, i),
    "download": lambda w, a, i: w.council.download(a, i),
    "add_version": lambda w, a, i: w.council.add_version(a, i, PROBE, "probe.txt"),
    "downgrade": lambda w, a, i: w.council.downgrade(a, i, "public", "fuzzed id"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("council-ids")
    world = build_world(f"sqlite:///{folder / 'app.db'}", folder / "home", papers=("A3",))
    try:
        yield world
    finally:
        world.close()


@pytest.mark.parametrize("document_id", ABSURD)
@pytest.mark.parametrize("op", OPS)
def test_absurd_ids_are_missing_documents(world: World, op: str, document_id: int) -> None:
    ada = world.actor("ada")
    head = world.head()
    with pytest.raises(NotFound, match=f"^no document {document_id}$"):
        OPS[op](world, ada, document_id)
    (entry,) = world.audit_since(head)
    assert (entry["outcome"], entry["target"]) == ("denied", f"document:{document_id}")


@pytest.mark.parametrize("version", [2**63, 2**64, -(2**63) - 1, -1])
def test_absurd_versions_are_missing_versions(world: World, version: int) -> None:
    document_id = world.id("A3")
    with pytest.raises(NotFound, match=f"^document {document_id} has no version {version}$"):
        world.council.download(world.actor("ada"), document_id, version)
    assert world.council.download(world.actor("ada"), document_id)[2] == world.data["A3"]


def test_listing_offsets_past_any_row(world: World) -> None:
    ada = world.actor("ada")
    page = world.council.documents(ada, offset=MAX_ID)
    assert (page.total, page.items) == (1, [])
    for offset in (MAX_ID + 1, 2**64, -1):
        with pytest.raises(InvalidInput, match=f"offset 0-{MAX_ID}"):
            world.council.documents(ada, offset=offset)
