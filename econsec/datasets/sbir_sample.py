"""The real SBIR sample shipped under ``data/tech/`` for seeds-needs matching, so that
matching works on a machine without ``../shared/data`` (``data/tech/PROVENANCE.md``).

- **Seeds** (:data:`SEEDS_FILE`): 3,231 SBIR awards, a plain row subset of SBIR.gov's award
  database as harvested in 2018 (``sbir_awards_1983_2018.parquet``): every Department of
  Defense award of 2013-2017 (all Phase II: the source lacks DoD Phase I for those years), which
  includes every award citing one of the Air Force topic numbers below (one award, 1470481,
  cites AF151-019). Columns: ``sbir_award_id``, ``title``, ``abstract``, ``agency``, ``branch``,
  ``phase``, ``award_year``, ``comp_name``, ``solicit_topic_code``.
- **Needs** (:data:`NEEDS_FILE`): the 190 Air Force topics of DoD SBIR/STTR solicitation 15.1
  (``dod_af_sbir_topics_2015.parquet``, a byte-for-byte copy of the shared file, CC0), with
  ``topic_number``, ``title``, ``objective``, ``description``, ``keywords`` and more.
- **Needs of every sector** (:data:`OTHER_NEEDS_FILE`, with ``read_sample("mixed")``): the same
  190 topics and the 599 topics of the other agencies (NSF, DOE, NASA, HHS, Commerce, DOT, DHS,
  USDA) that closed in 2015, a plain row subset of SBIR.gov's closed-topic list
  (``sbir_closed_topics_fy2008_2018.parquet``). That list has no topic numbers: their ids are
  ``row N``, the row in the shipped file.

Both are US government works (public domain). Caveat carried over from the source: about half
of the award topic codes were blanked in the shared copy (kept aside for an independent
evaluation), and most awards never had one, so a missing ``solicit_topic_code`` does not mean
the award answered no topic.
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from econsec.datasets.openalex_tables import shipped
from econsec.datasets.promote_texts import read_closed_topics, read_texts

#: Seeds: DoD SBIR awards 2013-2017, relative to ``data/``.
SEEDS_FILE = "tech/sbir_awards_dod_2013_2017.parquet"
#: Needs: the Air Force topics of DoD solicitation 15.1, relative to ``data/``.
NEEDS_FILE = "tech/dod_af_sbir_topics_2015.parquet"
#: Needs of the other agencies: non-DoD SBIR topics closed in 2015, relative to ``data/``.
OTHER_NEEDS_FILE = "tech/sbir_closed_topics_2015_non_dod.parquet"
#: Id column of the seeds file (SBIR.gov's award detail id).
SEEDS_ID = "sbir_award_id"
#: Id column of the needs file (the DoD topic number, e.g. ``AF151-019``).
NEEDS_ID = "topic_number"
#: Seed columns kept next to ``id``, ``text`` and ``agency`` (strings, as read_texts gives them).
SEEDS_KEEP = ("title", "branch", "phase", "award_year", "comp_name", "solicit_topic_code")
#: Need columns kept next to ``id``, ``text`` and ``agency``.
NEEDS_KEEP = ("title", "program", "url")
#: The needs file writes its agency as ``AirForce``; read as this name it maps to the defence
#: sector (:func:`econsec.promote.matching_sectors.sector_of`).
NEEDS_AGENCY = {"AirForce": "Department of Defense; Air Force"}


Needs = Literal["af15", "mixed"]
#: The columns of the needs of ``read_sample("mixed")``.
MIXED_COLUMNS = ("id", "text", "title", "agency")


def read_sample(needs: Needs = "af15") -> tuple[pa.Table, pa.Table]:
    """The shipped (seeds, needs) as :func:`econsec.datasets.promote_texts.read_texts` reads
    them, ready for :func:`econsec.promote.matching.match_tables`.

    Seeds: ``id`` (the award id), ``text`` (title and abstract), ``title``, ``agency``, then
    the rest of :data:`SEEDS_KEEP` (3,231 rows). Needs: ``id`` (the topic number), ``text``
    (title, objective, description and keywords), ``title``, ``agency`` (``AirForce`` written
    out as in :data:`NEEDS_AGENCY`, other values unchanged), ``program`` and ``url`` (190 rows).
    All columns are strings (``award_year`` too). With ``needs="mixed"`` the needs are these
    and the other agencies' topics of :data:`OTHER_NEEDS_FILE` (789 rows), with the columns of
    :data:`MIXED_COLUMNS`. Raises NotFound when ``data/`` is absent (an installed package) and
    DataError when a file breaks the read_texts contract.
    """
    seeds = read_texts(shipped(SEEDS_FILE), id_column=SEEDS_ID, keep=SEEDS_KEEP)
    topics = read_texts(shipped(NEEDS_FILE), id_column=NEEDS_ID, keep=NEEDS_KEEP)
    agency = [NEEDS_AGENCY.get(a, a) if a else a for a in topics["agency"].to_pylist()]
    position = topics.schema.get_field_index("agency")
    topics = topics.set_column(position, "agency", pa.array(agency, pa.string()))
    if needs == "af15":
        return seeds, topics
    others = read_closed_topics(shipped(OTHER_NEEDS_FILE))
    columns = list(MIXED_COLUMNS)
    both = [
        t.select(columns).cast(pa.schema([(c, pa.string()) for c in columns]))
        for t in (topics, others)
    ]
    return seeds, pa.concat_tables(both)


def cited(seeds: pa.Table, topic: str) -> list[str]:
    """Ids of the seeds whose ``solicit_topic_code`` is ``topic`` (the awards citing it)."""
    mask = pc.equal(seeds["solicit_topic_code"], topic)
    return [str(i) for i in seeds.filter(mask)["id"].to_pylist()]
