"""GET /health: is the service up, and can it reach both stores?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from econsec import __version__
from econsec.api.deps import CatalogueDep
from econsec.api.schemas import Health, StoreHealth
from econsec.errors import EconsecError
from econsec.store.app import AppStore, safe_url

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(request: Request, catalogue: CatalogueDep) -> Health:
    """Service status, the two stores, and how many datasets are loaded."""
    loaded = 0
    try:
        loaded = sum(1 for s in catalogue.status() if s.loaded)
        analytics = StoreHealth(ok=True, location=str(catalogue.store.path))
    except EconsecError as exc:
        analytics = StoreHealth(ok=False, location=str(catalogue.store.path), detail=exc.message)
    app_store: AppStore = request.app.state.app_store
    try:
        with app_store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        app = StoreHealth(ok=True, location=safe_url(app_store.url))
    except Exception as exc:
        app = StoreHealth(ok=False, location=safe_url(app_store.url), detail=str(exc)[:200])
    status = "ok" if analytics.ok and app.ok else "degraded"
    return Health(
        status=status,
        version=__version__,
        analytics_store=analytics,
        app_store=app,
        datasets_loaded=loaded,
    )
