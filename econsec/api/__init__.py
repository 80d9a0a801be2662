"""The HTTP API (FastAPI): ``create_app`` builds it; OpenAPI docs at ``/docs``."""

from econsec.api.app import create_app

__all__ = ["create_app"]
