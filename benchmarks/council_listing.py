"""Benchmark: listing 100,000 Council records filtered for one user (issue 5).

    python benchmarks/council_listing.py [--records 100000] [--postgres URL]

Target: <= 200 ms on SQLite and on PostgreSQL for one user's filtered listing. The records are
SYNTHETIC (invented titles; real schema, real service code): 100,000 documents spread over 50
workspaces and the five default levels, bulk-inserted as metadata rows (listing never reads
contents). The user is a member of 10 workspaces with a `confidential` clearance, so the database
must discard most rows by membership and level. Measured through the service layer
(``Council.documents``: the SQL filter, the total count, the first page of 100, and the audit
entry the call appends), median of 20 calls after 3 warm-up calls, plus a count-only query and
the time to page through everything the user may see.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from econsec.council.models import Document, Member, Workspace
from econsec.council.service import Council
from econsec.security.policy import Actor
from econsec.security.service import Security, operator
from econsec.settings import Settings
from econsec.store.app import open_app_store, utcnow

LEVELS = ("public", "internal", "confidential", "secret", "top_secret")


def populate(security: Security, records: int) -> Actor:
    """Users, workspaces, memberships and ``records`` documents; the benchmark's user."""
    admin = "bench-admin"
    security.add_user(operator(), admin, "admin")
    security.add_user(operator(), "bench-user", "analyst")
    boss = security.actor(admin)
    security.grant_clearance(boss, "bench-user", "confidential", date.today() + timedelta(days=90))
    user = security.actor("bench-user")
    rng = random.Random(20261129)
    now = utcnow()
    with security.app.session() as session:
        workspace_ids = []
        for number in range(50):
            result = session.execute(
                insert(Workspace).values(
                    name=f"ws-{number:02d}",
                    title=f"Workspace {number}",
                    created_by=admin,
                    created_at=now,
                )
            )
            workspace_ids.append(int(result.inserted_primary_key[0]))
        session.execute(
            insert(Member),
            [
                {"workspace_id": w, "user_id": user.user_id, "added_by": admin, "added_at": now}
                for w in workspace_ids[:10]
            ],
        )
        rows = []
        for number in range(records):
            rank = rng.randrange(len(LEVELS))
            rows.append(
                {
                    "workspace_id": rng.choice(workspace_ids),
                    "title": f"Synthetic record {number}",
                    "kind": "note",
                    "level": LEVELS[rank],
                    "level_rank": rank,
                    "version": 1,
                    "created_by": admin,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(rows) == 10_000:
                session.execute(insert(Document), rows)
                rows = []
        if rows:
            session.execute(insert(Document), rows)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
    return user


def measure(council: Council, user: Actor) -> dict[str, float]:
    timings = []
    for attempt in range(23):
        started = time.perf_counter()
        page = council.documents(user, limit=100)
        elapsed = time.perf_counter() - started
        if attempt >= 3:
            timings.append(elapsed)
    total = page.total
    started = time.perf_counter()
    seen = 0
    offset = 0
    while True:
        chunk = council.documents(user, limit=1000, offset=offset)
        seen += len(chunk.items)
        offset += 1000
        if offset >= chunk.total:
            break
    every = time.perf_counter() - started
    assert seen == total, (seen, total)
    return {
        "visible": float(total),
        "median_ms": 1000 * statistics.median(timings),
        "p95_ms": 1000 * sorted(timings)[int(0.95 * len(timings))],
        "all_pages_s": every,
    }


def run(url: str | None, home: Path, records: int) -> None:
    settings = Settings(home=home, database_url=url)
    app = open_app_store(settings.app_database_url)
    security = Security(settings, app)
    started = time.perf_counter()
    user = populate(security, records)
    print(f"  populated {records:,} records in {time.perf_counter() - started:.1f} s")
    figures = measure(Council(security), user)
    print(
        f"  one user's listing (first page of 100 + total, audited): median "
        f"{figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms; "
        f"{int(figures['visible']):,} visible; every page of 1,000: {figures['all_pages_s']:.2f} s"
    )
    app.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/econsec_bench",
        help="an empty PostgreSQL database (created if the server allows); '' to skip",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite:")
        run(None, Path(tmp) / "sqlite", args.records)
        if args.postgres:
            fresh = fresh_postgres(args.postgres)
            if fresh is None:
                print("PostgreSQL: not reachable, skipped", file=sys.stderr)
                return
            print("PostgreSQL:")
            run(fresh, Path(tmp) / "pg", args.records)


def fresh_postgres(url: str) -> str | None:
    """Drop and create the benchmark database; None if the server is not reachable."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = target.set(database="postgres")
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        engine.dispose()
    except Exception as exc:
        print(f"PostgreSQL: {exc}", file=sys.stderr)
        return None
    return target.render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
