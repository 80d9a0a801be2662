"""One analytics interface, several runners: DuckDB (default) and Spark (scale-out)."""

from econsec.engine.base import Engine, get_engine, render

__all__ = ["Engine", "get_engine", "render"]
