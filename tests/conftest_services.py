"""Skip-or-fail for tests that need an outside service (PostgreSQL now, a browser later).

On a developer machine a missing service skips the test with the reason; in CI, which sets
``ECONSEC_REQUIRE_SERVICES=1``, the same reason fails it, so a broken service container cannot
turn the backend suites into silent skips.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_SERVICES = "ECONSEC_REQUIRE_SERVICES"


def services_required() -> bool:
    """Whether this run must have every service (``ECONSEC_REQUIRE_SERVICES=1``)."""
    return os.environ.get(REQUIRE_SERVICES, "").strip() == "1"


def service_unavailable(reason: str) -> NoReturn:
    """Skip the current test with ``reason``, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_SERVICES}=1)", pytrace=False)
    pytest.skip(reason)
