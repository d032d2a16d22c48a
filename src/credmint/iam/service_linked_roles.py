"""IAM: service-linked roles — roles an AWS service owns in the customer's account.

CreateServiceLinkedRole makes ``AWSServiceRoleFor<Name>[_<suffix>]`` under the path
``/aws-service-role/<service principal>/``, trusted by the service principal alone
(``sts:AssumeRole``). :data:`SERVICES` holds the names AWS gives (each service's user guide,
section "Using service-linked roles"), and which services take a custom suffix; a service
that is not in it is refused, the safer reading (AWS refuses services with no linked role).
The service's own managed policy is not attached: credmint does not carry the
``aws-service-role/`` managed policies, and no service runs here to use the role.

AWS protects these roles: only the service may change their trust, policies or boundary,
or delete them other than through DeleteServiceLinkedRole (``UnmodifiableEntity``,
:func:`credmint.iam.roles.refuse_service_linked`). Deletion runs at once (nothing here
uses the role) and its task answers ``SUCCEEDED``; a second request for a role whose
deletion has finished finds no role.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select

from credmint import arns, ids
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize
from credmint.iam.entities import ROLE
from credmint.iam.ops import OPERATIONS
from credmint.iam.roles import SERVICE_ROLE_PATH, role_view
from credmint.store import schema
from credmint.store.tags import drop_all_tags

#: Service principal -> (role name after ``AWSServiceRoleFor``, takes a CustomSuffix).
SERVICES: dict[str, tuple[str, bool]] = {
    "autoscaling.amazonaws.com": ("AutoScaling", True),
    "elasticbeanstalk.amazonaws.com": ("ElasticBeanstalk", True),
    "elasticloadbalancing.amazonaws.com": ("ElasticLoadBalancing", False),
    "ecs.amazonaws.com": ("ECS", False),
    "eks.amazonaws.com": ("AmazonEKS", False),
    "eks-nodegroup.amazonaws.com": ("AmazonEKSNodegroup", False),
    "rds.amazonaws.com": ("RDS", False),
    "elasticache.amazonaws.com": ("ElastiCache", False),
    "es.amazonaws.com": ("AmazonElasticsearchService", False),
    "opensearchservice.amazonaws.com": ("AmazonOpenSearchService", False),
    "organizations.amazonaws.com": ("Organizations", False),
    "sso.amazonaws.com": ("SSO", False),
    "support.amazonaws.com": ("Support", False),
    "trustedadvisor.amazonaws.com": ("TrustedAdvisor", False),
    "config.amazonaws.com": ("Config", False),
    "guardduty.amazonaws.com": ("AmazonGuardDuty", False),
    "securityhub.amazonaws.com": ("SecurityHub", False),
    "cloudtrail.amazonaws.com": ("CloudTrail", False),
    "spot.amazonaws.com": ("EC2Spot", False),
    "ssm.amazonaws.com": ("AmazonSSM", False),
    "kafka.amazonaws.com": ("Kafka", False),
    "ecs.application-autoscaling.amazonaws.com": ("ApplicationAutoScaling_ECSService", False),
    "dynamodb.application-autoscaling.amazonaws.com": ("ApplicationAutoScaling_DynamoDBTable", False),
}

#: Deletion tasks are kept in ``account_settings`` under this prefix and the task's uuid.
_TASK_PREFIX = "slr-deletion:"


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}],
        }
    )


@operation(OPERATIONS, "CreateServiceLinkedRole")
def create_service_linked_role(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    account_id = account_of(call)
    service: str = p["AWSServiceName"]
    suffix: str | None = p.get("CustomSuffix")
    known = SERVICES.get(service)
    if known is None:
        # Wording unconfirmed.
        raise iam_errors.InvalidInput.no_service_linked_roles(service)
    base, takes_suffix = known
    name = f"AWSServiceRoleFor{base}"
    if suffix is not None:
        if not takes_suffix:
            raise iam_errors.InvalidInput.custom_suffix(name)
        name = f"{name}_{suffix}"
    if len(name) > 64:
        raise iam_errors.InvalidInput.role_name_too_long(name)
    path = f"{SERVICE_ROLE_PATH}{service}/"
    arn = arns.role(account_id, path, name)
    authorize(call, "iam:CreateServiceLinkedRole", arn)
    r = schema.roles
    with call.store.write() as conn:
        if ROLE.find(conn, account_id, name) is not None:
            raise iam_errors.InvalidInput.service_role_name_taken(name)
        role_id = ids.new_unique_id("AROA")
        conn.execute(
            insert(r).values(
                role_id=role_id,
                account_id=account_id,
                name=name,
                name_key=name.lower(),
                path=path,
                arn=arn,
                trust_policy=_trust(service),
                description=p.get("Description"),
                max_session_duration=3600,
                permissions_boundary_arn=None,
                created_at=call.now,
            )
        )
        row = conn.execute(select(r).where(r.c.role_id == role_id)).one()
        return {"Role": role_view(conn, row, full=False)}


@operation(OPERATIONS, "DeleteServiceLinkedRole")
def delete_service_linked_role(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    name: str = call.params["RoleName"]
    r, ip, pa, st = schema.roles, schema.inline_policies, schema.policy_attachments, schema.account_settings
    with call.store.write() as conn:
        row = ROLE.authorized(call, conn, "iam:DeleteServiceLinkedRole", name)
        if not row.path.startswith(SERVICE_ROLE_PATH):
            # Wording unconfirmed.
            raise iam_errors.InvalidInput.not_service_linked(name)
        service = row.path[len(SERVICE_ROLE_PATH) : -1]
        conn.execute(delete(ip).where(ip.c.entity_id == row.role_id))
        conn.execute(delete(pa).where(pa.c.entity_id == row.role_id))
        drop_all_tags(conn, row.role_id)
        conn.execute(delete(r).where(r.c.role_id == row.role_id))
        task = f"task/aws-service-role/{service}/{name}/{uuid.uuid4()}"
        conn.execute(
            insert(st).values(
                account_id=account_id,
                name=_TASK_PREFIX + task.rsplit("/", 1)[1],
                value=json.dumps({"task": task, "status": "SUCCEEDED"}),
            )
        )
    return {"DeletionTaskId": task}


@operation(OPERATIONS, "GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    task: str = call.params["DeletionTaskId"]
    parts = task.split("/")
    if len(parts) != 5 or parts[:2] != ["task", "aws-service-role"]:
        raise iam_errors.InvalidInput.deletion_task_id(task)
    # Authorized on the role the task deleted (the reference's resource type is the role).
    authorize(
        call,
        "iam:GetServiceLinkedRoleDeletionStatus",
        arns.role(account_id, f"{SERVICE_ROLE_PATH}{parts[2]}/", parts[3]),
    )
    st = schema.account_settings
    with call.store.read() as conn:
        text = conn.execute(
            select(st.c.value).where(st.c.account_id == account_id, st.c.name == _TASK_PREFIX + parts[4])
        ).scalar_one_or_none()
    if text is None or json.loads(text)["task"] != task:
        raise iam_errors.NoSuchEntity.service_linked_role_deletion_task(task)
    return {"Status": json.loads(text)["status"]}
