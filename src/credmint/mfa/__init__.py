"""Multi-factor authentication: AWS-style virtual MFA devices (TOTP).

The function ``totp.totp`` is deliberately not re-exported here: the name would shadow the
``credmint.mfa.totp`` module. Use ``from credmint.mfa import totp`` then ``totp.totp(...)``,
or ``code_at_step`` / ``time_step``.
"""

from credmint.mfa import totp
from credmint.mfa.totp import (
    CONSECUTIVE_SEARCH_STEPS,
    DEFAULT_WINDOW,
    DIGITS,
    STEP_SECONDS,
    code_at_step,
    decode_seed,
    is_code_format,
    new_seed,
    otpauth_uri,
    qr_png,
    time_step,
    verify,
    verify_after,
    verify_consecutive,
)

__all__ = [
    "CONSECUTIVE_SEARCH_STEPS",
    "DEFAULT_WINDOW",
    "DIGITS",
    "STEP_SECONDS",
    "code_at_step",
    "decode_seed",
    "is_code_format",
    "new_seed",
    "otpauth_uri",
    "qr_png",
    "time_step",
    "totp",
    "verify",
    "verify_after",
    "verify_consecutive",
]
