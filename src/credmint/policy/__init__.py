"""The IAM policy engine: pure parsing, validation, compilation and evaluation.

No I/O and no clock reads: callers pass policies (compiled once with
:func:`compile_policy` and cached) and a :class:`RequestContext`, and get a
:class:`Decision`. :func:`access_denied_message` renders AWS's AccessDenied text.
"""

from .conditions import OPERATORS, parse_date
from .context import PrincipalInfo, PrincipalType, RequestContext, global_condition_keys, normalize_keys
from .document import (
    CompiledPolicy,
    CompiledStatement,
    PolicyKind,
    compile_policy,
    parse_policy,
    policy_size,
    validate_policy,
)
from .evaluate import Decision, DeniedBy, MatchedStatement, evaluate
from .matching import names_within
from .messages import VALIDATION, access_denied_message

__all__ = [
    "OPERATORS",
    "VALIDATION",
    "CompiledPolicy",
    "CompiledStatement",
    "Decision",
    "DeniedBy",
    "MatchedStatement",
    "PolicyKind",
    "PrincipalInfo",
    "PrincipalType",
    "RequestContext",
    "access_denied_message",
    "compile_policy",
    "evaluate",
    "global_condition_keys",
    "names_within",
    "normalize_keys",
    "parse_date",
    "parse_policy",
    "policy_size",
    "validate_policy",
]
