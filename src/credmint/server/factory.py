"""Build a node: settings -> store, master key, runtime, ASGI app."""

from __future__ import annotations

from credmint.clock import DevClock
from credmint.runtime import Runtime
from credmint.sealing import load_or_create_master_key
from credmint.server import accesslog
from credmint.server.app import CredmintApp
from credmint.settings import Settings
from credmint.store.db import Store


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    master = load_or_create_master_key(settings.data_dir, settings.master_key)
    # A dev store is for tests: it trades power-cut durability for cheap commits.
    store = Store(
        settings.store_url,
        durable=not settings.dev,
        timeout=settings.db_timeout_seconds,
        staleness_bound=settings.cache_staleness_bound_seconds,
    )
    # Dev mode's clock is the one tests move; every other node reads the system clock.
    return Runtime(settings, store, master, DevClock() if settings.dev else None)


def create_app() -> CredmintApp:
    """The app factory uvicorn calls in each worker process (settings come from the environment)."""
    settings = Settings.from_env()
    accesslog.configure(settings)
    return CredmintApp(build_runtime(settings))
