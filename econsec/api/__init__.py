"""The HTTP API (FastAPI): ``create_app`` builds it; OpenAPI docs at ``/docs``.

``create_app`` is imported on first use, so that the web pages can import the API's routers
(``econsec.api.routers.council``) without importing the app that includes those pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from econsec.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from econsec.api.app import create_app

        return create_app
    raise AttributeError(f"module 'econsec.api' has no attribute {name!r}")
