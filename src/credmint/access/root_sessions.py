"""AssumeRoot sessions on the request path: the member account's root, bounded by a task.

The AWS managed root-task policies are deny-only ("deny everything but these actions, and
those only on the root user"), so an AssumeRoot session's permissions are the root user's
full access minus the task policy's denies. :func:`task_session_policies` gives the
authorizer exactly that as the session's policies; ``sts/assume_root.py`` mints them.
"""

from __future__ import annotations

from credmint import arns
from credmint.access.identity import PolicySource
from credmint.access.tokens import SessionClaims
from credmint.policy import CompiledPolicy, compile_policy

#: The AWS managed policies AssumeRoot accepts as TaskPolicyArn.
ROOT_TASK_POLICIES = frozenset(
    arns.aws_managed_policy("/root-task/", name)
    for name in (
        "IAMAuditRootUserCredentials",
        "IAMCreateRootUserPassword",
        "IAMDeleteRootUserCredentials",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    )
)
#: The root user's own access, which the task policy's denies then narrow.
_ROOT_FULL_ACCESS = compile_policy(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    policy_id="root-session",
)


def task_session_policies(source: PolicySource, claims: SessionClaims) -> tuple[CompiledPolicy, ...]:
    """The session policies of an AssumeRoot session: full access, then the task policy.

    Empty (nothing allowed) when a task policy cannot be loaded, so a session never
    falls back to the root user's unbounded access.
    """
    policies = [_ROOT_FULL_ACCESS]
    for arn in claims.policy_arns:
        compiled = source.managed(arn) if arn in ROOT_TASK_POLICIES else None
        if compiled is None:
            return ()
        policies.append(compiled)
    if len(policies) == 1:
        return ()
    return tuple(policies)
