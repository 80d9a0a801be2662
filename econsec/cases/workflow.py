"""Workflows as data: the states of a kind of case, the transitions between them (who may make
each, whether it needs a reason) and its statutory clocks (when each starts, its period, the
limit of its extensions, the states that stop it). The shipped workflows are the YAML files in
``econsec/cases/workflows``; a file is checked when read (every state named exists, every
transition and clock is well formed), and :mod:`econsec.cases.service` allows nothing else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from econsec.cases.periods import Period
from econsec.errors import DataError, InvalidInput, NotFound

FOLDER = Path(__file__).with_name("workflows")
RIGHTS = ("decide", "write")


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    right: str
    reason: bool


@dataclass(frozen=True, slots=True)
class Clock:
    """A statutory clock: starts when a case enters ``starts`` (or is opened in it), runs for
    ``period`` (extendable up to ``limit`` in all, counted from the same start), and stops
    when the case enters one of ``stops_in``."""

    name: str
    starts: str
    period: Period
    limit: Period | None
    stops_in: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    title_en: str
    title_ja: str
    source: str
    initial: str
    final: tuple[str, ...]
    states: dict[str, dict[str, str]]
    transitions: dict[str, Transition]
    clocks: tuple[Clock, ...]
    permits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # what -> states

    def permitted(self, state: str) -> list[str]:
        """What ``state`` permits (e.g. ``installation`` once a plan is cleared)."""
        return [what for what, states in self.permits.items() if state in states]

    def transition(self, name: str, state: str) -> Transition:
        """The transition ``name`` from ``state``; InvalidInput naming what is allowed."""
        found = self.transitions.get(name)
        if found is None:
            raise InvalidInput(
                f"no transition {name!r} in {self.name}; known: {', '.join(self.transitions)}"
            )
        if state not in found.sources:
            allowed = [t.name for t in self.transitions.values() if state in t.sources]
            raise InvalidInput(
                f"{name!r} is not allowed in state {state!r}; allowed: "
                f"{', '.join(allowed) or 'nothing (a final state)'}"
            )
        return found


def read_workflow(path: Path) -> Workflow:
    """A workflow file, checked (DataError naming the file and the field)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the workflow: {exc}", path=path) from None
    try:
        return _workflow(data)
    except (KeyError, TypeError, ValueError, InvalidInput) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else f"missing or wrong: {exc}"
        raise DataError(message, path=path) from None


def _workflow(data: dict[str, Any]) -> Workflow:
    states = {str(k): dict(v) for k, v in data["states"].items()}

    def state(name: str, where: str) -> str:
        if name not in states:
            raise InvalidInput(f"{where}: unknown state {name!r}")
        return name

    transitions = {}
    for item in data["transitions"]:
        right = str(item["right"])
        if right not in RIGHTS:
            raise InvalidInput(f"transition {item['name']}: unknown right {right!r}")
        transitions[str(item["name"])] = Transition(
            str(item["name"]),
            tuple(state(s, f"transition {item['name']}") for s in item["from"]),
            state(item["to"], f"transition {item['name']}"),
            right,
            bool(item.get("reason", False)),
        )
    clocks = tuple(
        Clock(
            str(item["name"]),
            state(item["starts"], f"clock {item['name']}"),
            Period.parse(item["period"]),
            Period.parse(item["limit"]) if item.get("limit") else None,
            tuple(state(s, f"clock {item['name']}") for s in item.get("stops_in", ())),
        )
        for item in data.get("clocks", ())
    )
    return Workflow(
        str(data["name"]),
        str(data["title_en"]),
        str(data["title_ja"]),
        str(data.get("source", "")),
        state(data["initial"], "initial"),
        tuple(state(s, "final") for s in data.get("final", ())),
        states,
        transitions,
        clocks,
        {
            str(what): tuple(state(s, f"permits {what}") for s in states)
            for what, states in (data.get("permits") or {}).items()
        },
    )


@functools.cache
def workflows() -> dict[str, Workflow]:
    """The shipped workflows by name."""
    found = [read_workflow(path) for path in sorted(FOLDER.glob("*.yaml"))]
    return {w.name: w for w in found}


def workflow(name: str) -> Workflow:
    """A shipped workflow; NotFound naming the known ones."""
    known = workflows()
    if name not in known:
        raise NotFound(f"no workflow {name!r}; known: {', '.join(known)}")
    return known[name]
