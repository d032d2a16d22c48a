"""Alembic environment: run by ``credmint db upgrade`` and on ``credmint serve``."""

from __future__ import annotations

from alembic import context

from credmint.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("credmint migrations run through credmint.store.migrate, with a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
