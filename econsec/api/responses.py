"""Responses the routers share."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


def finite_json(data: Any) -> JSONResponse:
    """``data`` as JSON with infinities and NaN as null (a product that never runs short, a
    ratio over nothing) and objects JSON does not know (dates, paths) as text."""
    text = json.dumps(data, default=str)
    return JSONResponse(json.loads(text, parse_constant=lambda _: None))
