"""Every member the service models mark sensitive is either dropped from audit records or
named, with a reason, as one CloudTrail records: a member added to a model later cannot
slip into the trail unnoticed."""

from __future__ import annotations

import botocore.session
import pytest

from credmint.audit.record import SECRET_MEMBERS, SENSITIVE_BUT_RECORDED

SERVICES = ("sts", "iam", "organizations", "s3", "cloudtrail")


def sensitive_members(service: str) -> set[str]:
    model = botocore.session.get_session().get_service_model(service)
    found: set[str] = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.type_name != "structure":
            continue
        for member, member_shape in shape.members.items():
            if member_shape.metadata.get("sensitive"):
                found.add(member)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_sensitive_member_is_decided(service: str) -> None:
    undecided = sensitive_members(service) - SECRET_MEMBERS - set(SENSITIVE_BUT_RECORDED)
    assert not undecided, f"{service}: sensitive members neither dropped nor recorded on purpose: {undecided}"


def test_the_two_tables_do_not_overlap() -> None:
    assert not SECRET_MEMBERS & set(SENSITIVE_BUT_RECORDED)
