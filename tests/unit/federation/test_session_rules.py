"""The rules a federated session's values follow, whichever provider asks (SAML attributes,
OIDC claims): the model's patterns as AWS's Java regexes read them."""

from __future__ import annotations

import pytest

from credmint.federation import session_rules


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("team", True),
        ("Projekt Über", True),  # \p{L}, \p{Z}
        ("部署", True),
        ("k:/=+@_.-1", True),
        ("nbsp\u00a0ideographic\u3000space", True),  # \p{Zs}
        ("x" * 128, True),
        ("", False),
        ("x" * 129, False),
        ("team*", False),
        ("a<b", False),
        ("a>b", False),
        ("a&b", False),
        ("a,b", False),
        ("te\x00am", False),
        ("tab\there", False),  # \s would have let these through; \p{Z} does not
        ("team\n", False),
        ("cr\r", False),
        ("del\x7f", False),
        ("c1\x85", False),
        ("lone\udc80", False),
        ("emoji\U0001f600", False),  # So: not a letter, number or separator
    ],
)
def test_tag_keys(key: str, ok: bool) -> None:
    assert session_rules.tag_key_ok(key) is ok


@pytest.mark.parametrize(("value", "ok"), [("", True), ("v" * 256, True), ("v" * 257, False), ("a*b", False)])
def test_tag_values(value: str, ok: bool) -> None:
    assert session_rules.tag_value_ok(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ab", True),
        ("a+b=c,d.e-f_g@h", True),
        ("x" * 64, True),
        ("awsome", True),
        ("a", False),
        ("x" * 65, False),
        ("**", False),
        ("al ice", False),
        ("ålice", False),  # \w is ASCII in Java
        ("alice\n", False),  # re's $ would match before it
        ("a\x00b", False),
        ("aws:alice", False),
        ("AWS:alice", False),
    ],
)
def test_source_identity(value: str, ok: bool) -> None:
    assert session_rules.source_identity_ok(value) is ok


def test_role_session_name_has_no_reserved_prefix_but_the_same_pattern() -> None:
    assert session_rules.role_session_name_ok("aws:alice") is False  # ':' is outside the pattern
    assert session_rules.role_session_name_ok("aws-alice") is True
    assert session_rules.role_session_name_ok("ålice") is False
    assert session_rules.role_session_name_ok("alice\n") is False


def test_session_tags_keep_order_and_case() -> None:
    tags, transitive = session_rules.session_tags([("Team", "eng"), ("cost", "42")], ["team"])
    assert tags == (("Team", "eng"), ("cost", "42")) and transitive == ("team",)


@pytest.mark.parametrize(
    ("tags", "transitive", "refusal", "key"),
    [
        ([("team*", "x")], [], session_rules.Refusal.TAG, "team*"),
        ([("team", "x\x00")], [], session_rules.Refusal.TAG, "team"),
        ([("Team", "eng"), ("team", "admin")], [], session_rules.Refusal.DUPLICATE, "team"),
        ([(f"k{i}", "v") for i in range(51)], [], session_rules.Refusal.TOO_MANY, ""),
        ([("team", "eng")], ["project"], session_rules.Refusal.TRANSITIVE, "project"),
    ],
)
def test_session_tags_refusals(
    tags: list[tuple[str, str]], transitive: list[str], refusal: session_rules.Refusal, key: str
) -> None:
    with pytest.raises(session_rules.SessionRuleError) as e:
        session_rules.session_tags(tags, transitive)
    assert (e.value.refusal, e.value.key) == (refusal, key)


def test_fifty_tags_are_allowed() -> None:
    tags, _ = session_rules.session_tags([(f"k{i}", "v") for i in range(50)], [])
    assert len(tags) == session_rules.MAX_SESSION_TAGS == 50
