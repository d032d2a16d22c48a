"""parse_form: GET and POST forms, first-wins duplicates, decoding and AWS's errors."""

from __future__ import annotations

import pytest

from credmint.errors import AwsError
from credmint.httpreq import HttpRequest
from credmint.wire import parse_form

FORM = "application/x-www-form-urlencoded"


def post(body: str, content_type: str | None = FORM + "; charset=utf-8", query: str = "") -> HttpRequest:
    headers = (("content-type", content_type),) if content_type else ()
    return HttpRequest("POST", "/", query, headers, body.encode())


def get(query: str) -> HttpRequest:
    return HttpRequest("GET", "/", query, ())


@pytest.mark.parametrize(
    ("req", "expected"),
    [
        (
            get("Action=GetCallerIdentity&Version=2011-06-15"),
            {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        ),
        (
            post("Action=GetCallerIdentity&Version=2011-06-15"),
            {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        ),
        (post("Action=A", content_type=FORM), {"Action": "A"}),
        (post("Action=A", content_type="Application/X-WWW-Form-Urlencoded;charset=UTF-8"), {"Action": "A"}),
        # First occurrence wins, for Action/Version and operation parameters alike.
        (get("Action=A&Action=B&X=1&X=2"), {"Action": "A", "X": "1"}),
        (post("Action=B&X=2", query="Action=A"), {"Action": "A", "X": "2"}),
        # '+' is a space, %-escapes are UTF-8, %2B is a plus.
        (get("K=a+b%20c%2Bd%C3%A9"), {"K": "a b c+dé"}),
        (get("Tags.member.1.Key=Cost%20Center"), {"Tags.member.1.Key": "Cost Center"}),
        (get("TransitiveTagKeys=&Flag"), {"TransitiveTagKeys": "", "Flag": ""}),
        (get("a=1&&b=2&"), {"a": "1", "b": "2"}),
        (get("K=a=b"), {"K": "a=b"}),
        (get(""), {}),
        # A POST that is not form-encoded contributes only its query string.
        (post("Action=B", content_type="application/json", query="Version=1"), {"Version": "1"}),
        (post("Action=B", content_type=None), {}),
    ],
)
def test_parse_form(req: HttpRequest, expected: dict[str, str]) -> None:
    assert parse_form(req, 10_000_000) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=%", "Incomplete trailing escape % sequence"),
        ("A=%4", "Incomplete trailing escape % sequence"),
        ("A=%yy", "Illegal hex character in escape % pattern: %yy"),
        ("A=%4g&B=1", "Illegal hex character in escape % pattern: %4g"),
        ("%zzA=1", "Illegal hex character in escape % pattern: %zz"),
    ],
)
def test_malformed_escapes(text: str, message: str) -> None:
    for req in (get(text), post(text)):
        with pytest.raises(AwsError) as e:
            parse_form(req, 10_000_000)
        assert (e.value.code, e.value.message, e.value.status) == ("MalformedQueryString", message, 400)


def test_body_limit_is_413_with_empty_body() -> None:
    body = "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + "x" * 100
    assert parse_form(post(body), len(body))["Action"] == "GetCallerIdentity"
    with pytest.raises(AwsError) as e:
        parse_form(post(body), len(body) - 1)
    assert e.value.status == 413 and e.value.empty_body


def test_a_request_of_too_many_parameters_is_413() -> None:
    """Splitting and decoding a million tiny parameters would hold the event loop for
    seconds: past MAX_PARAMETERS the request is refused as an oversized one."""
    from credmint.wire.form import MAX_PARAMETERS

    fits = "Action=GetCallerIdentity" + "&a=b" * (MAX_PARAMETERS - 1)
    assert parse_form(post(fits), 10_000_000)["Action"] == "GetCallerIdentity"
    for req in (post(fits + "&a=b"), post(fits[: len(fits) // 2], query="a=b" + "&a=b" * (MAX_PARAMETERS // 2 + 10))):
        with pytest.raises(AwsError) as e:
            parse_form(req, 10_000_000)
        assert e.value.status == 413 and e.value.empty_body


@pytest.mark.parametrize("raw", ["%C3%A9+x%2B", "%FF%2F", "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr", "a%2"])
@pytest.mark.parametrize("padding", [0, 1, 200, 256, 4000])
def test_decoding_is_the_same_short_or_long_and_repeated(raw: str, padding: int) -> None:
    # Escaped parts of up to 256 characters are decoded once and remembered, longer ones
    # each time: both read exactly as unquote_plus (UTF-8, bad bytes replaced), every time.
    from urllib.parse import unquote_plus

    text = "p" * padding + raw.removesuffix("%2")
    for _ in range(2):
        assert parse_form(get("K=" + text), 10**6) == {"K": unquote_plus(text, encoding="utf-8", errors="replace")}
