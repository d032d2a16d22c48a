"""Tags on roots, OUs, accounts and policies (TagResource, UntagResource, ListTagsForResource)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from credmint import arns
from credmint.api import Call, operation
from credmint.orgs import data
from credmint.orgs import errors as orgs_errors
from credmint.orgs.calls import administrator, authorize, entity_arn, management, paginate
from credmint.orgs.data import Org
from credmint.orgs.ops import OPERATIONS
from credmint.store import schema
from credmint.store import tags as stored_tags
from credmint.store.tags import get_tags, remove_tags


def _taggable(call: Call, conn: Connection, org: Org, action: str, resource_id: str) -> str:
    """The ARN the tags of a root, OU, account or policy of ``org`` are kept under, with
    ``action`` authorized on it. A resource of another organization, or none, is
    TargetNotFoundException (after the permission check, so ids are not probed for free)."""
    arn: str | None = None
    if resource_id.startswith("p-"):
        # Customer policies only: AWS managed policies (p-FullAWSAccess...) carry no tags.
        p = schema.org_policies
        row = conn.execute(select(p).where(p.c.policy_id == resource_id, p.c.org_id == org.org_id)).first()
        if row is not None:
            arn = arns.org_policy(org.management_account_id, org.org_id, row.policy_type, resource_id)
    elif data.is_target(conn, org, resource_id):
        arn = entity_arn(org, resource_id)
    if arn is None:
        authorize(call, action)
        raise orgs_errors.TargetNotFound()
    authorize(call, action, arn)
    return arn


def put_tags(conn: Connection, resource: str, tags: Sequence[Mapping[str, str]]) -> None:
    """Add or overwrite the tags of an Organizations resource, refused in its words."""
    try:
        stored_tags.put_tags(conn, resource, tags)
    except stored_tags.DuplicateTagKeys:
        raise orgs_errors.InvalidInput.duplicate_tag_keys() from None
    except stored_tags.TooManyTags as exc:
        raise orgs_errors.InvalidInput.too_many_tags(exc.most) from None


@operation(OPERATIONS, "TagResource")
def tag_resource(call: Call) -> Mapping[str, Any]:
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params.get("Tags") or []]
    with call.store.write() as conn:
        org = management(call, conn)
        arn = _taggable(call, conn, org, "TagResource", call.params["ResourceId"])
        put_tags(conn, arn, tags)
    return {}


@operation(OPERATIONS, "UntagResource")
def untag_resource(call: Call) -> Mapping[str, Any]:
    with call.store.write() as conn:
        org = management(call, conn)
        arn = _taggable(call, conn, org, "UntagResource", call.params["ResourceId"])
        remove_tags(conn, arn, call.params.get("TagKeys") or [])
    return {}


@operation(OPERATIONS, "ListTagsForResource")
def list_tags_for_resource(call: Call) -> Mapping[str, Any]:
    with call.store.read() as conn:
        org = administrator(call, conn)
        arn = _taggable(call, conn, org, "ListTagsForResource", call.params["ResourceId"])
        page, more = paginate(get_tags(conn, arn), call.params)
    return {"Tags": list(page), **more}
