"""The automatic checks of an installation plan on submission (ESPA Art. 52; pillar 2).

A plan is a JSON object. The engine needs ``reference``, ``operator``, ``sector`` and
``equipment`` to open a case; the checks then report, for the reviewer:

* **missing information**: each of the plan's mandatory items that is absent or empty: the
  equipment and its ``role``, the ``timing`` of the installation, the ``supplier``, the
  ``manufacturers`` and ``component_suppliers`` (each with its ``country``, and the supplier's
  ``ownership`` and ``officers``), the ``maintenance`` contractors and the
  ``risk_measures``;
* **sector**: whether ``sector`` is one of the sectors of the policy data
  (``infrastructure_sectors.yaml``), and whether the operator is designated in it on the day
  of receipt (the register of :meth:`econsec.cases.service.Cases.designate_operator`; not
  checked while the register is empty);
* **parties**: every named party (supplier, manufacturers, component suppliers, maintenance
  contractors, and the officers and owners of each) screened with the screening engine
  against the active lists; and whether its country is in the countries-of-concern group the
  reviewer names (a group such as one defined with ``econsec know``, or ISO3 codes).

Nothing here decides: the findings go into the case (``data.checks``) for the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

#: What the engine needs to open a case of a plan (the checks report the rest).
PLAN_REQUIRED = ("reference", "operator", "sector", "equipment")
MANDATORY = (
    "equipment",
    "role",
    "timing",
    "supplier",
    "manufacturers",
    "component_suppliers",
    "maintenance",
    "risk_measures",
)
PARTY_LISTS = ("manufacturers", "component_suppliers", "maintenance")

#: ``screen(name, schema)`` -> the matching listed entries as dicts (the screening engine).
Screen = Callable[[str, str], list[dict[str, Any]]]


def parties(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every named party of the plan with its role in it, its country and what it is."""

    def named(role: str, item: Any) -> Iterator[dict[str, Any]]:
        if isinstance(item, str) and item.strip():
            yield {"role": role, "name": item.strip(), "country": None, "schema": "Company"}
            return
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            return
        yield {
            "role": role,
            "name": str(item["name"]).strip(),
            "country": item.get("country"),
            "schema": "Company",
        }
        for officer in item.get("officers") or ():
            for person in named(f"{role} officer", officer):
                yield {**person, "schema": "Person", "country": _nationality(officer)}
        for owner in item.get("ownership") or ():
            yield from named(f"{role} owner", owner)

    yield from named("supplier", plan.get("supplier"))
    for key in PARTY_LISTS:
        for item in plan.get(key) or ():
            yield from named(key.rstrip("s") if key != "maintenance" else "maintenance", item)


def _nationality(person: Any) -> str | None:
    if isinstance(person, dict):
        return person.get("nationality") or person.get("country")
    return None


def missing(plan: dict[str, Any]) -> list[str]:
    """The mandatory items absent or empty, and the parties without a country."""
    out = [key for key in MANDATORY if plan.get(key) in (None, "", [], {})]
    supplier = plan.get("supplier")
    if isinstance(supplier, dict):
        out += [
            f"supplier.{k}" for k in ("country", "ownership", "officers") if not supplier.get(k)
        ]
    for key in ("manufacturers", "component_suppliers"):
        for n, item in enumerate(plan.get(key) or (), start=1):
            if isinstance(item, dict) and not item.get("country"):
                out.append(f"{key}[{n}].country")
    return out


def check_plan(
    plan: dict[str, Any],
    *,
    sectors: Iterable[str],
    concern: Iterable[str] = (),
    screen: Screen | None = None,
    designated: bool | None = None,
) -> dict[str, Any]:
    """The findings of the automatic checks (see the module's text); ``designated``: whether
    the operator is designated in the sector (None: no operator recorded, not checked)."""
    concern_set = {c.upper() for c in concern}
    found = []
    for party in parties(plan):
        country = str(party["country"]).upper() if party["country"] else None
        hits = screen(party["name"], party["schema"]) if screen is not None else None
        found.append(
            {
                **party,
                "country": country,
                "of_concern": bool(country and country in concern_set),
                "hits": hits,
            }
        )
    sector_known = str(plan.get("sector") or "") in set(sectors)
    absent = missing(plan)
    flagged = [p for p in found if p["of_concern"] or p["hits"]]
    return {
        "missing": absent,
        "sector_known": sector_known,
        "concern_group": sorted(concern_set),
        "screened": screen is not None,
        "parties": found,
        "operator_designated": designated,
        "flags": len(flagged)
        + len(absent)
        + (0 if sector_known else 1)
        + (1 if designated is False else 0),
    }


def run_checks(
    plan: dict[str, Any],
    *,
    catalogue: Any,
    protect: Any,
    concern: str | None = None,
    designated: bool | None = None,
) -> dict[str, Any]:
    """The checks with the loaded data: sectors from the ``infrastructure_sectors`` dataset,
    parties against the active screening lists (if any are loaded), countries against the
    concern group (a group name or ISO3 codes separated by commas; none: no country check)."""
    from econsec.know.dependencies import concern_members
    from econsec.protect.screening.model import Query

    document = catalogue.document("infrastructure_sectors")
    sectors = [str(s["id"]) for s in document["sectors"]]
    screen: Screen | None = None
    if protect.store.active():

        def screen(name: str, schema: str) -> list[dict[str, Any]]:
            results = protect.screen(Query(names=(name,), schema=schema), limit=5)
            return [
                {
                    "entity_id": r.entry.id,
                    "caption": r.entry.caption,
                    "list": r.entry.list_name,
                    "score": round(r.score, 4),
                }
                for r in results
                if r.match
            ]

    codes = [c.strip() for c in (concern or "").split(",") if c.strip()]
    return check_plan(
        plan,
        sectors=sectors,
        concern=concern_members(codes),
        screen=screen,
        designated=designated,
    )


def read_plan(content: bytes, source: str) -> dict[str, Any]:
    """A plan from the bytes of a JSON file (DataError naming ``source``)."""
    import json

    from econsec.errors import DataError

    try:
        plan = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"not a JSON plan: {exc}", path=source) from None
    if not isinstance(plan, dict):
        raise DataError("a plan is a JSON object", path=source)
    return plan


def submit(
    cases: Any,
    actor: Any,
    plan: dict[str, Any],
    *,
    catalogue: Any,
    protect: Any,
    workspace: str,
    level: str,
    received: date | None = None,
    concern: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Submit an installation plan (the CLI, the API and the web pages all come here): the
    engine's required items, the automatic checks (with the operator's designation on the day
    of receipt), then the case, whose 30-day review starts on ``received`` (default today)."""
    from econsec.errors import DataError
    from econsec.store.app import utcnow

    missing = [f for f in PLAN_REQUIRED if not plan.get(f)]
    if missing:
        raise DataError(f"missing: {', '.join(missing)}", path=source, field=missing[0])
    operator, sector = str(plan["operator"]), str(plan["sector"])
    designated = cases.designated(operator, sector, received or utcnow().date())
    checks = run_checks(
        plan, catalogue=catalogue, protect=protect, concern=concern, designated=designated
    )
    opened: dict[str, Any] = cases.open(
        actor,
        "infra_plan",
        reference=str(plan["reference"]),
        title=str(plan.get("title") or f"{operator}: {plan['equipment']}"),
        workspace=workspace,
        level=level,
        data={**plan, "checks": checks},
        on=received,
    )
    return opened
