"""Service-linked roles end to end: AWS's names and paths, the service's trust, the
protections only the service may lift, and deletion through its own task."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.sts.helpers import allow, aws_cli, doc, error_of, make_user

pytestmark = pytest.mark.e2e

POLICY = doc(allow("s3:ListAllMyBuckets"))


def refused(fn: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    code, _, status = error_of(exc)
    return code, status


def test_create_protect_delete(server: Server) -> None:
    iam = server.client("iam")
    role = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com", CustomSuffix="blue")["Role"]
    name = role["RoleName"]
    assert name == "AWSServiceRoleForElasticBeanstalk_blue"
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": ["elasticbeanstalk.amazonaws.com"]}
    assert refused(
        iam.create_service_linked_role, AWSServiceName="elasticbeanstalk.amazonaws.com", CustomSuffix="blue"
    ) == ("InvalidInput", 400)
    for fn, kwargs in [
        (iam.update_assume_role_policy, {"PolicyDocument": POLICY}),
        (iam.delete_role, {}),
        (iam.put_role_policy, {"PolicyName": "p", "PolicyDocument": POLICY}),
        (iam.attach_role_policy, {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        (iam.put_role_permissions_boundary, {"PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ]:
        assert refused(fn, RoleName=name, **kwargs) == ("UnmodifiableEntity", 400), fn
    iam.update_role_description(RoleName=name, Description="the service's role")
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/elasticbeanstalk.amazonaws.com/{name}/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert refused(iam.get_role, RoleName=name) == ("NoSuchEntity", 404)


def test_suffix_and_service_rules(server: Server) -> None:
    iam = server.client("iam")
    assert refused(
        iam.create_service_linked_role, AWSServiceName="elasticloadbalancing.amazonaws.com", CustomSuffix="x"
    ) == ("InvalidInput", 400)
    assert refused(iam.create_service_linked_role, AWSServiceName="nothing.amazonaws.com") == ("InvalidInput", 400)
    ordinary = iam.create_role(
        RoleName="not-linked-role",
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )["Role"]
    assert refused(iam.delete_service_linked_role, RoleName=ordinary["RoleName"]) == ("InvalidInput", 400)
    iam.delete_role(RoleName=ordinary["RoleName"])
    assert refused(iam.get_service_linked_role_deletion_status, DeletionTaskId="bogus") == ("InvalidInput", 400)


def test_needs_permission(server: Server) -> None:
    user = make_user(server, policy=doc(allow("iam:GetRole")))
    iam = server.client("iam", **user.creds.kwargs())
    assert refused(iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com") == ("AccessDenied", 403)


def test_aws_cli(server: Server) -> None:
    out = aws_cli(
        server,
        "iam",
        "create-service-linked-role",
        "--aws-service-name",
        "autoscaling.amazonaws.com",
        "--custom-suffix",
        "cli",
    )
    assert out.returncode == 0, out.stderr
    name = json.loads(out.stdout)["Role"]["RoleName"]
    assert name == "AWSServiceRoleForAutoScaling_cli"
    deleted = aws_cli(server, "iam", "delete-service-linked-role", "--role-name", name)
    assert deleted.returncode == 0 and "DeletionTaskId" in deleted.stdout
    task = json.loads(deleted.stdout)["DeletionTaskId"]
    status = aws_cli(server, "iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["Status"] == "SUCCEEDED"
    bogus = aws_cli(server, "iam", "get-service-linked-role-deletion-status", "--deletion-task-id", "bogus")
    assert bogus.returncode != 0 and "InvalidInput" in bogus.stderr


def test_aws_service_name_condition(server: Server) -> None:
    policy = doc(
        allow(
            "iam:CreateServiceLinkedRole",
            "*",
            Condition={"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}},
        )
    )
    user = make_user(server, policy=policy)
    iam = server.client("iam", **user.creds.kwargs())
    assert refused(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com") == ("AccessDenied", 403)
    made = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="cond")["Role"]
    server.client("iam").delete_service_linked_role(RoleName=made["RoleName"])
