"""IAM: the account password policy and users' login profiles (console passwords).

credmint has no console, so a password is never checked against; it is still stored
only as a salted scrypt hash, because whoever reads the database must not learn a
password a person may use elsewhere.

The policy is stored as JSON in ``account_settings``. With no policy set, AWS checks
passwords against its default policy (at least 8 characters, at least three of
upper case, lower case, digits and symbols), yet GetAccountPasswordPolicy answers
NoSuchEntity: the default counts as "no policy".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from credmint import errors
from credmint.api import Call, operation
from credmint.iam import errors as iam_errors
from credmint.iam.common import account_of, authorize, caller
from credmint.iam.ops import OPERATIONS
from credmint.iam.users import target_user
from credmint.policy import compile_policy
from credmint.store import schema

POLICY_SETTING = "password_policy"

#: What UpdateAccountPasswordPolicy stores for a member the call leaves out.
POLICY_DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
}

#: The symbols IAM counts for RequireSymbols (its documented set).
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")

#: scrypt cost: 2**14 x 8 x 1 is the interactive-login setting of the scrypt paper and
#: Python's documentation, about 16 MiB and tens of milliseconds per hash.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (constant-time compare)."""
    kind, n, r, p, salt, digest = stored.split("$")
    if kind != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(computed, base64.b64decode(digest))


# --- the policy -----------------------------------------------------------------------------


def stored_policy(conn: Connection, account_id: str) -> dict[str, Any] | None:
    s = schema.account_settings
    text = conn.execute(
        select(s.c.value).where(s.c.account_id == account_id, s.c.name == POLICY_SETTING)
    ).scalar_one_or_none()
    return None if text is None else dict(json.loads(text))


def check_password(conn: Connection, account_id: str, password: str) -> None:
    classes = {
        "RequireUppercaseCharacters": any(c in string.ascii_uppercase for c in password),
        "RequireLowercaseCharacters": any(c in string.ascii_lowercase for c in password),
        "RequireNumbers": any(c in string.digits for c in password),
        "RequireSymbols": any(c in SYMBOLS for c in password),
    }
    policy = stored_policy(conn, account_id)
    if policy is None:
        # AWS's default policy for accounts without one.
        if len(password) < 8 or sum(classes.values()) < 3:
            raise iam_errors.PasswordPolicyViolation()
        return
    if len(password) < policy["MinimumPasswordLength"]:
        raise iam_errors.PasswordPolicyViolation()
    if any(policy.get(key) and not present for key, present in classes.items()):
        raise iam_errors.PasswordPolicyViolation()


@operation(OPERATIONS, "GetAccountPasswordPolicy")
def get_account_password_policy(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:GetAccountPasswordPolicy", "*")
    with call.store.read() as conn:
        policy = stored_policy(conn, account_id)
    if policy is None:
        raise iam_errors.NoSuchEntity.password_policy(account_id)
    out = dict(policy)
    # ExpirePasswords is derived, as AWS documents it: true when MaxPasswordAge is set.
    out["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
    return {"PasswordPolicy": out}


@operation(OPERATIONS, "UpdateAccountPasswordPolicy")
def update_account_password_policy(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:UpdateAccountPasswordPolicy", "*")
    p = call.params
    # The call replaces the whole policy: members left out go back to their defaults
    # (AWS documents each default), they do not keep their previous values.
    policy: dict[str, Any] = {key: p.get(key, default) for key, default in POLICY_DEFAULTS.items()}
    for key in ("MaxPasswordAge", "PasswordReusePrevention", "HardExpiry"):
        if p.get(key) is not None:
            policy[key] = p[key]
    s = schema.account_settings
    text = json.dumps(policy, sort_keys=True)
    with call.store.write() as conn:
        done = conn.execute(
            update(s).where(s.c.account_id == account_id, s.c.name == POLICY_SETTING).values(value=text)
        )
        if done.rowcount == 0:
            conn.execute(insert(s).values(account_id=account_id, name=POLICY_SETTING, value=text))
    return None


@operation(OPERATIONS, "DeleteAccountPasswordPolicy")
def delete_account_password_policy(call: Call) -> Mapping[str, Any] | None:
    account_id = account_of(call)
    authorize(call, "iam:DeleteAccountPasswordPolicy", "*")
    s = schema.account_settings
    with call.store.write() as conn:
        done = conn.execute(delete(s).where(s.c.account_id == account_id, s.c.name == POLICY_SETTING))
        if done.rowcount == 0:
            # Delete words it otherwise than Get (moto's tests, recorded from AWS).
            raise iam_errors.NoSuchEntity.account_password_policy()
    return None


# --- login profiles -------------------------------------------------------------------------

lp = schema.login_profiles


def _login_user(call: Call, conn: Connection, action: str) -> Row[Any]:
    """The user a login-profile call acts on (``UserName``, else the calling user)."""
    row = target_user(call, conn, action)
    if row is None:
        # The root user's password is not an IAM login profile; AWS manages it only
        # through an AssumeRoot session, which credmint does not offer for this task.
        raise iam_errors.ValidationError.user_name_required()
    return row


def _find_profile(conn: Connection, user_id: str) -> Row[Any] | None:
    return conn.execute(select(lp).where(lp.c.user_id == user_id)).first()


def _view(user: Row[Any], profile: Row[Any]) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": profile.created_at,
        "PasswordResetRequired": bool(profile.password_reset_required),
    }


def _required_password(call: Call) -> str:
    password = call.params.get("Password")
    if not password:
        # The model leaves Password optional only for AssumeRoot sessions (root password
        # recovery); every other caller must give one, as the API reference says.
        raise iam_errors.ValidationError.password_required()
    return str(password)


@operation(OPERATIONS, "CreateLoginProfile")
def create_login_profile(call: Call) -> Mapping[str, Any] | None:
    exists: errors.AwsError | None = None
    try:
        with call.store.write() as conn:
            user = _login_user(call, conn, "iam:CreateLoginProfile")
            exists = iam_errors.EntityAlreadyExists.login_profile(user.name)
            if _find_profile(conn, user.user_id) is not None:
                raise exists
            password = _required_password(call)
            check_password(conn, user.account_id, password)
            conn.execute(
                insert(lp).values(
                    user_id=user.user_id,
                    account_id=user.account_id,
                    password_hash=hash_password(password),
                    password_reset_required=bool(call.params.get("PasswordResetRequired")),
                    created_at=call.now,
                )
            )
            return {"LoginProfile": _view(user, conn.execute(select(lp).where(lp.c.user_id == user.user_id)).one())}
    except IntegrityError:
        # Another node created the profile between the check and the insert.
        if exists is None:
            raise
        raise exists from None


@operation(OPERATIONS, "GetLoginProfile")
def get_login_profile(call: Call) -> Mapping[str, Any] | None:
    with call.store.read() as conn:
        user = _login_user(call, conn, "iam:GetLoginProfile")
        profile = _find_profile(conn, user.user_id)
        if profile is None:
            raise iam_errors.NoSuchEntity.login_profile(user.name)
        return {"LoginProfile": _view(user, profile)}


@operation(OPERATIONS, "UpdateLoginProfile")
def update_login_profile(call: Call) -> Mapping[str, Any] | None:
    p = call.params
    with call.store.write() as conn:
        user = _login_user(call, conn, "iam:UpdateLoginProfile")
        if _find_profile(conn, user.user_id) is None:
            raise iam_errors.NoSuchEntity.login_profile(user.name)
        # Members left out keep their values (unlike UpdateAccountPasswordPolicy).
        values: dict[str, Any] = {}
        if p.get("Password"):
            check_password(conn, user.account_id, p["Password"])
            values["password_hash"] = hash_password(p["Password"])
        if p.get("PasswordResetRequired") is not None:
            values["password_reset_required"] = bool(p["PasswordResetRequired"])
        if values:
            conn.execute(update(lp).where(lp.c.user_id == user.user_id).values(**values))
    return None


@operation(OPERATIONS, "DeleteLoginProfile")
def delete_login_profile(call: Call) -> Mapping[str, Any] | None:
    with call.store.write() as conn:
        user = _login_user(call, conn, "iam:DeleteLoginProfile")
        done = conn.execute(delete(lp).where(lp.c.user_id == user.user_id))
        if done.rowcount == 0:
            raise iam_errors.NoSuchEntity.login_profile(user.name)
    return None


#: What AllowUsersToChangePassword grants every IAM user: its own password (the caller's
#: ARN is the resource ChangePassword is authorized on).
_OWN_PASSWORD = compile_policy(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword",'
    '"Resource":"arn:aws:iam::*:user/*"}]}',
    policy_id="AllowUsersToChangePassword",
)


@operation(OPERATIONS, "ChangePassword")
def change_password(call: Call) -> Mapping[str, Any] | None:
    """The calling IAM user's own password. Allowed by ``iam:ChangePassword`` on the user,
    or for every user when the account's password policy sets AllowUsersToChangePassword
    (IAM User Guide, "Permitting IAM users to change their own passwords"). That setting is a
    grant beside the user's identity policies, not a way around authorization: a Deny (a
    quarantined user's), a permissions boundary, an SCP or a scope-down policy still
    refuses, the safer reading where AWS is silent. The old password
    is checked before the new one, so a wrong old password reveals nothing about the policy;
    each check costs one scrypt, which bounds how fast a holder of the user's access key can
    guess it."""
    p = caller(call)
    if p.kind != "user" or p.entity_id is None:
        # Only IAM users have an IAM password to change (wording unconfirmed).
        raise iam_errors.InvalidUserType()
    new: str = call.params["NewPassword"]
    with call.store.read() as conn:
        policy = stored_policy(conn, p.account_id) or {}
        granted = _OWN_PASSWORD if policy.get("AllowUsersToChangePassword") else None
        authorize(call, "iam:ChangePassword", p.arn, granted=granted)
        user = conn.execute(select(schema.users).where(schema.users.c.user_id == p.entity_id)).first()
        profile = None if user is None else _find_profile(conn, user.user_id)
        if user is None or profile is None:
            raise iam_errors.NoSuchEntity.login_profile(p.name)
        check_password(conn, p.account_id, new)
    # Both scrypt runs happen outside any transaction; the write below only lands if the
    # password is still the one just proven (a concurrent change makes this one fail).
    if not verify_password(call.params["OldPassword"], profile.password_hash):
        # Wording unconfirmed; AccessDenied, as for any credential the caller cannot prove.
        raise iam_errors.AccessDenied.old_password_incorrect()
    new_hash = hash_password(new)
    with call.store.write() as conn:
        done = conn.execute(
            update(lp)
            .where(lp.c.user_id == user.user_id, lp.c.password_hash == profile.password_hash)
            .values(password_hash=new_hash, password_reset_required=False)
        )
        if done.rowcount == 0:
            raise iam_errors.AccessDenied.old_password_incorrect()
    return None
