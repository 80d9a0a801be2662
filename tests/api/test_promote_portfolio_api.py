"""R&D scoring and fund allocation over HTTP: the same JSON as the command line, on the shipped
real-based example and on request bodies in the issue's format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.api.routers import promote_portfolio
from econsec.promote.allocate import allocate
from econsec.settings import Settings

BODY = promote_portfolio.EXAMPLE_BODY


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


def test_allocate_body_in_the_issue_format(client: TestClient) -> None:
    response = client.post("/promote/allocate", json=BODY, params={"pareto": 3})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert {"objective", "chosen", "total_cost", "status", "gap", "explanations"} <= set(doc)
    # by hand: b and c together spend 80 in area y (max 60), so y holds one of them; the best
    # with the budget of 100 is a's second option (70, 80) + b (30, 45) = 125 (a0 + c = 105)
    assert doc["chosen"] == {"a": 1, "b": 0} and doc["objective"] == 125
    assert doc["status"] == "optimal" and len(doc["pareto"]) == 3
    again = client.post("/promote/allocate", json=BODY, params={"never_fund": "a"}).json()
    assert "a" not in again["chosen"]


def test_allocate_example_matches_the_engine(client: TestClient) -> None:
    from econsec.datasets.promote_problem import example_path, read_problem

    doc = client.get("/promote/allocate/example", params={"budget": 400}).json()
    expected = allocate(read_problem(example_path()).with_rules(budget=400), explain=False)
    assert doc["objective"] == pytest.approx(expected.objective) and doc["budget"] == 400
    shown = client.get("/promote/portfolio/example").json()
    assert shown["budget"] == 500 and len(shown["candidates"]) == 7


def test_bad_and_infeasible_bodies_are_422(client: TestClient) -> None:
    response = client.post("/promote/allocate", json={"budget": 1, "candidates": []})
    assert response.status_code == 422 and "candidates" in response.json()["message"]
    tight = {**BODY, "must_fund": ["a", "b", "c"]}
    response = client.post("/promote/allocate", json=tight)
    assert response.status_code == 422 and "infeasible" in response.json()["message"]
    response = client.post("/promote/allocate", json=[1, 2])
    assert response.status_code == 422
    response = client.post("/promote/allocate", json=BODY, params={"pareto": 1000})
    assert response.status_code == 422


def test_score_routes(client: TestClient) -> None:
    response = client.post(
        "/promote/score",
        json=promote_portfolio.SCORE_BODY,
        params={"method": "topsis", "sensitivity": 200, "tornado": 10},
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["method"] == "topsis" and [r["rank"] for r in doc["candidates"]] == [1, 2, 3]
    assert "kept_rank_share" in doc["candidates"][0] and len(doc["tornado"]) == 6
    example = client.get(
        "/promote/score/example", params={"method": "promethee", "weights": "cost=0"}
    ).json()
    assert len(example["candidates"]) == 7 and example["weights"]["cost"] == 0
    response = client.get("/promote/score/example", params={"weights": "nope=1"})
    assert response.status_code == 422 and "nope" in response.json()["message"]


def test_options_and_limits(client: TestClient) -> None:
    plain = client.post("/promote/allocate", json=BODY, params={"explain": False}).json()
    assert "explanations" not in plain and plain["objective"] == 125
    tight = client.post("/promote/allocate", json=BODY, params={"budget": 70}).json()
    assert tight["budget"] == 70 and tight["total_cost"] <= 70
    huge = {
        "budget": 1,
        "candidates": [{"id": f"c{i}", "options": [{"cost": 1, "value": 1}]} for i in range(5001)],
    }
    response = client.post("/promote/allocate", json=huge, params={"explain": False})
    assert response.status_code == 422 and "too large" in response.json()["message"]
    typo = {**BODY, "area_limit": {}}
    response = client.post("/promote/allocate", json=typo)
    assert response.status_code == 422 and "area_limit" in response.json()["message"]
    ranked = client.post(
        "/promote/score",
        json=promote_portfolio.SCORE_BODY,
        params={"method": "promethee", "direction": "cost=benefit"},
    ).json()
    # with cost a benefit, the dearest and most important candidate 'a' wins every criterion
    assert ranked["candidates"][0]["id"] == "a" and ranked["candidates"][0]["score"] == 1.0


def test_candidates_from_a_list_as_the_command_line_builds_them(
    client: TestClient, settings: Settings
) -> None:
    from econsec.datasets.catalogue import Catalogue
    from econsec.store.analytics import AnalyticsStore
    from tests.conftest import shared_file

    missing = client.get("/promote/candidates")
    assert missing.status_code == 409 and "critical_technologies" in missing.text
    catalogue = Catalogue(AnalyticsStore.from_settings(settings))
    catalogue.load("critical_technologies", shared_file("policy/critical_technologies.yaml"), {})
    doc = client.get("/promote/candidates", params={"list": "k"}).json()
    assert len(doc["candidates"]) == 7 and doc["meta"]["list"] == "k_program_vision_1"
    ai = next(c for c in doc["candidates"] if c["id"] == "ai_security_disinformation_analysis")
    assert 0.15 < ai["criteria"]["jp_strength"] < 0.25
    flat = client.get("/promote/candidates", params={"list": "k", "landscape": "false"}).json()
    assert all("jp_strength" not in c["criteria"] for c in flat["candidates"])
    derived = client.get(
        "/promote/candidates", params={"list": "eu", "only_derived": "true", "format": "yaml"}
    )
    assert derived.headers["content-type"].startswith("application/yaml")
    scored = client.post("/promote/score", json=yaml.safe_load(derived.text)).json()
    assert len(scored["candidates"]) == 10  # the EU's ten areas
    assert client.get("/promote/candidates", params={"list": "japan"}).status_code == 422
