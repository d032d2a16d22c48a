"""Tags of IAM entities and Organizations resources, keyed by the resource's id.

One table for both services (keys compared case-insensitively, as IAM and Organizations
do, order of first insertion kept). Lookups and writes only: the tagging operations that
validate input and authorize live with each service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from credmint import errors
from credmint.store import schema

#: Tags on one resource, at most (IAM's and Organizations' quota).
MAX_TAGS = 50


def get_tags(conn: Connection, resource: str) -> list[dict[str, str]]:
    t = schema.tags
    rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == resource).order_by(t.c.position)).all()
    return [{"Key": k, "Value": v} for k, v in rows]


def put_tags(conn: Connection, resource: str, new_tags: Sequence[Mapping[str, str]]) -> None:
    """Add or overwrite tags (keys compared case-insensitively, as IAM does), within the limit."""
    t = schema.tags
    seen: set[str] = set()
    for tag in new_tags:
        low = tag["Key"].lower()
        if low in seen:
            raise errors.invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(low)
    existing = {
        r.key_lower: r.position
        for r in conn.execute(select(t.c.key_lower, t.c.position).where(t.c.resource == resource)).all()
    }
    if len(existing.keys() | seen) > MAX_TAGS:
        raise errors.limit_exceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    position = max(existing.values(), default=-1) + 1
    for tag in new_tags:
        low = tag["Key"].lower()
        pos = existing.get(low)
        if pos is None:
            pos, position = position, position + 1
        # An upsert: two concurrent tag writes for one key on PostgreSQL (read committed)
        # would otherwise both miss the row and collide on the primary key.
        upsert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t).values(
            resource=resource, key_lower=low, key=tag["Key"], value=tag.get("Value", ""), position=pos
        )
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[t.c.resource, t.c.key_lower],
                set_={"key": upsert.excluded.key, "value": upsert.excluded.value},
            )
        )


def remove_tags(conn: Connection, resource: str, keys: Sequence[str]) -> None:
    t = schema.tags
    lows = [k.lower() for k in keys]
    if lows:
        conn.execute(delete(t).where(t.c.resource == resource, t.c.key_lower.in_(lows)))


def drop_all_tags(conn: Connection, resource: str) -> None:
    conn.execute(delete(schema.tags).where(schema.tags.c.resource == resource))
