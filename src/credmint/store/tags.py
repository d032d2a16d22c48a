"""Tags of IAM entities and Organizations resources, keyed by the resource's id.

One table for both services (keys compared case-insensitively, as IAM and Organizations
do, order of first insertion kept). Lookups and writes only: the tagging operations that
validate input and authorize live with each service. The two rules both services share
(no key twice, at most :data:`MAX_TAGS`) are refused here with :class:`TagsRefused`, which
is no client error: each service answers it in its own words and code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from credmint.store import schema

#: Tags on one resource, at most (IAM's and Organizations' quota).
MAX_TAGS = 50


class TagsRefused(Exception):
    """Tags the shared rules refuse; the service that writes them words the answer."""


class DuplicateTagKeys(TagsRefused):
    """Two of the tags have the same key, compared case-insensitively."""


class TooManyTags(TagsRefused):
    """The resource would carry more than ``most`` tags."""

    def __init__(self, most: int) -> None:
        super().__init__(most)
        self.most = most


def get_tags(conn: Connection, resource: str) -> list[dict[str, str]]:
    t = schema.tags
    rows = conn.execute(select(t.c.key, t.c.value).where(t.c.resource == resource).order_by(t.c.position)).all()
    return [{"Key": k, "Value": v} for k, v in rows]


def put_tags(conn: Connection, resource: str, new_tags: Sequence[Mapping[str, str]]) -> None:
    """Add or overwrite tags (keys compared case-insensitively, as IAM does), within the limit.
    Raises :class:`DuplicateTagKeys` or :class:`TooManyTags`, writing nothing."""
    t = schema.tags
    seen: set[str] = set()
    for tag in new_tags:
        low = tag["Key"].lower()
        if low in seen:
            raise DuplicateTagKeys()
        seen.add(low)
    existing = {
        r.key_lower: r.position
        for r in conn.execute(select(t.c.key_lower, t.c.position).where(t.c.resource == resource)).all()
    }
    if len(existing.keys() | seen) > MAX_TAGS:
        raise TooManyTags(MAX_TAGS)
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
