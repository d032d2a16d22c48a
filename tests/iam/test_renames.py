"""A rename or move (UpdateUser, UpdateGroup) needs the permission on the entity under its
old and its new name and path: "the requester must have appropriate permissions on both
the source object and the target object" (IAM API Reference, UpdateUser, UpdateGroup).
Without the second check a path-scoped delegation moved entities out of its path, and a
user allowed to update only itself moved itself under a path that a trust policy trusts."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import allow, doc, error_of, make_user, unique

pytestmark = pytest.mark.e2e


def _denied(fn: object, **kwargs: str) -> None:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)  # type: ignore[operator]
    assert error_of(exc)[0] == "AccessDenied"


def test_a_path_scoped_delegation_cannot_move_users_out_of_its_path(server: Server) -> None:
    root = server.client("iam")
    helpdesk = make_user(server, policy=doc(allow("iam:UpdateUser", "arn:aws:iam::*:user/sandbox/*")))
    iam = server.client("iam", **helpdesk.creds.kwargs())
    name = unique("sb")
    root.create_user(UserName=name, Path="/sandbox/")
    _denied(iam.update_user, UserName=name, NewPath="/admins/")
    _denied(iam.update_user, UserName=name, NewPath="/")
    renamed = unique("sb2")
    iam.update_user(UserName=name, NewUserName=renamed)  # within the path: allowed
    assert root.get_user(UserName=renamed)["User"]["Path"] == "/sandbox/"


def test_a_user_allowed_to_update_itself_cannot_move_itself(server: Server) -> None:
    user = make_user(server, policy=doc(allow("iam:UpdateUser", "arn:aws:iam::*:user/${aws:username}")))
    iam = server.client("iam", **user.creds.kwargs())
    _denied(iam.update_user, UserName=user.name, NewPath="/admins/")
    assert server.client("iam").get_user(UserName=user.name)["User"]["Path"] == "/"
    # A rename is a new ARN too: ${aws:username} is still the old name when it is checked.
    _denied(iam.update_user, UserName=user.name, NewUserName=unique("other"))


def test_a_path_scoped_delegation_cannot_move_groups_out_of_its_path(server: Server) -> None:
    root = server.client("iam")
    manager = make_user(server, policy=doc(allow("iam:UpdateGroup", "arn:aws:iam::*:group/team/*")))
    iam = server.client("iam", **manager.creds.kwargs())
    name = unique("g")
    root.create_group(GroupName=name, Path="/team/")
    _denied(iam.update_group, GroupName=name, NewPath="/admins/")
    renamed = unique("g2")
    iam.update_group(GroupName=name, NewGroupName=renamed)
    assert root.get_group(GroupName=renamed)["Group"]["Path"] == "/team/"
