"""Wildcards, ARNs and policy variables.

Everything here is compiled once per policy and then called per request, so the
common shapes (``*``, an exact string, a ``prefix*``) get a fast path that never
touches :mod:`re`; only the rest becomes a regular expression.

Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``)
and their escapes (``${*}``, ``${?}``, ``${$}``) are tokenised at compile time into
a :class:`Template`. A template without variables compiles straight to a matcher;
one with variables is resolved per request and the resulting matcher is cached by
its resolved text (the same user hits the same patterns again and again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

#: A compiled pattern: takes the request value, says whether it matches.
Matcher = Callable[[str], bool]

#: Condition keys as the request context stores them: lower-cased name → values.
KeyValues = Mapping[str, tuple[str, ...]]


def match_all(_value: str) -> bool:
    return True


def match_none(_value: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Literal:
    """Text that must match itself even if it holds ``*`` or ``?`` (an escape or a substituted value)."""

    text: str


@dataclass(frozen=True, slots=True)
class Variable:
    """``${key}`` or ``${key, 'default'}``; ``key`` is lower-cased for lookup."""

    key: str
    default: str | None


Part = str | Literal | Variable

#: ``${...}``; the inside is parsed by :func:`_parse_variable`.
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
#: ``key`` or ``key, 'default'`` (AWS writes a comma, a space and a single-quoted default).
_VARIABLE_BODY = re.compile(r"^\s*([^,\s'}]+)\s*(?:,\s*'([^']*)'\s*)?$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Template:
    """A pattern as a sequence of wildcard text, literals and variables."""

    parts: tuple[Part, ...]

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.parts if isinstance(p, Variable))

    def resolve(self, keys: KeyValues) -> tuple[Part, ...] | None:
        """Substitute variables from the request; ``None`` when one cannot be resolved.

        A variable resolves only from a single-valued key (AWS: multi-valued keys
        cannot be variables). Its value is inserted as a :class:`Literal`: a tag
        value of ``*`` must not turn into a wildcard that matches everything.
        """
        out: list[Part] = []
        for p in self.parts:
            if isinstance(p, Variable):
                values = keys.get(p.key)
                if values is not None and len(values) == 1:
                    out.append(Literal(values[0]))
                elif p.default is not None:
                    out.append(Literal(p.default))
                else:
                    return None
            else:
                out.append(p)
        return tuple(out)


def parse_template(text: str, variables: bool) -> Template:
    """Tokenise ``text``; with ``variables`` false (Version 2008-10-17) ``${...}`` stays literal text."""
    if not variables or "${" not in text:
        return Template((text,))
    parts: list[Part] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        body = m.group(1)
        if body in _ESCAPES:
            part: Part = Literal(_ESCAPES[body])
        else:
            vm = _VARIABLE_BODY.match(body)
            if vm is None:
                # Not a variable AWS would recognise: keep the characters as written.
                continue
            part = Variable(vm.group(1).lower(), vm.group(2))
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        parts.append(part)
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return Template(tuple(parts))


def _glob_regex(parts: tuple[Part, ...]) -> str:
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            for ch in p:
                if ch == "*":
                    out.append(".*")
                elif ch == "?":
                    out.append(".")
                else:
                    out.append(re.escape(ch))
        elif isinstance(p, Literal):
            out.append(re.escape(p.text))
        else:  # pragma: no cover - resolved before we get here
            raise TypeError("unresolved variable")
    return "".join(out)


def glob_matcher(pattern: str, *, fold_case: bool = False) -> Matcher:
    """Matcher for a plain ``*``/``?`` glob (no variables).

    ``fold_case``: the pattern is lower-cased and the caller passes lower-cased values.
    """
    if fold_case:
        pattern = pattern.lower()
    if pattern == "*":
        return match_all
    star = pattern.find("*")
    if "?" not in pattern:
        if star < 0:
            return pattern.__eq__
        if star == len(pattern) - 1:
            return _startswith(pattern[:-1])
    return _regex_matcher(_glob_regex((pattern,)))


def _startswith(prefix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.startswith(prefix)

    return match


@lru_cache(maxsize=4096)
def _regex_matcher(regex: str) -> Matcher:
    fullmatch = re.compile(regex, re.DOTALL).fullmatch

    def match(value: str) -> bool:
        return fullmatch(value) is not None

    return match


def parts_matcher(parts: tuple[Part, ...], *, fold_case: bool = False) -> Matcher:
    """Matcher for resolved template parts (wildcard text plus literals)."""
    if all(isinstance(p, str) for p in parts):
        return glob_matcher("".join(p for p in parts if isinstance(p, str)), fold_case=fold_case)
    if fold_case:
        parts = tuple(
            p.lower() if isinstance(p, str) else Literal(p.text.lower())
            for p in parts
            if not isinstance(p, Variable)
        )
    return _parts_matcher_cached(parts)


@lru_cache(maxsize=4096)
def _parts_matcher_cached(parts: tuple[Part, ...]) -> Matcher:
    if not any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts):
        # No live wildcard: plain equality against the concatenation.
        text = "".join(p if isinstance(p, str) else p.text for p in parts if not isinstance(p, Variable))
        return text.__eq__
    return _regex_matcher(_glob_regex(parts))


# --- ARNs ------------------------------------------------------------------------------


def split_arn(value: str) -> tuple[str, ...] | None:
    """The six ARN fields (the last keeps its inner colons), or ``None`` for a non-ARN."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return tuple(parts)


def _split_template(template: Template) -> list[tuple[Part, ...]]:
    """Split a template into colon-separated fields: at most six, colons inside variables don't count."""
    fields: list[list[Part]] = [[]]
    for p in template.parts:
        if isinstance(p, str):
            pieces = p.split(":")
            for i, piece in enumerate(pieces):
                if i > 0:
                    if len(fields) < 6:
                        fields.append([])
                    else:
                        fields[-1].append(":")
                if piece:
                    fields[-1].append(piece)
        else:
            fields[-1].append(p)
    return [tuple(f) for f in fields]


def _field_regex(parts: tuple[Part, ...], last: bool) -> str:
    """A field's glob as regex; in the first five fields wildcards never match ``:``."""
    if last:
        return _glob_regex(parts)
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            for ch in p:
                out.append("[^:]*" if ch == "*" else "[^:]" if ch == "?" else re.escape(ch))
        elif isinstance(p, Literal):
            out.append(re.escape(p.text))
    return "".join(out)


def _live_wildcards(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts)


def _flat(parts: tuple[Part, ...]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts if not isinstance(p, Variable))


def classify_arn(parts: tuple[Part, ...]) -> tuple[str, str]:
    """A resolved Resource pattern as (``exact``|``prefix``|``all``|``none``|``regex``, payload).

    ARN-shaped patterns match field by field, so a ``*`` in the partition, service,
    region or account field never spans a ``:`` (AWS: each of the six colon-delimited
    components is checked separately); the resource field is an ordinary glob that
    keeps its inner colons. Anything else (``*``, a bare name) is a whole-string glob.
    """
    fields = _split_template(Template(parts))
    if len(fields) == 6 and fields[0] == ("arn",):
        head = fields[:5]
        last = fields[5]
        if not any(_live_wildcards(f) for f in head):
            prefix = ":".join(_flat(f) for f in head) + ":"
            if not _live_wildcards(last):
                return ("exact", prefix + _flat(last))
            if (
                len(last) >= 1
                and isinstance(last[-1], str)
                and last[-1].endswith("*")
                and not _live_wildcards((last[-1][:-1],))
                and not _live_wildcards(last[:-1])
            ):
                return ("prefix", prefix + _flat(last)[:-1])
        regex = ":".join(_field_regex(f, i == 5) for i, f in enumerate(fields))
        return ("regex", regex)
    if fields[0] == ("arn",):
        # ARN-shaped but with fewer than six fields: a ``*`` may not stand in for the
        # missing colons, so it matches nothing (IAM refuses such Resources anyway).
        return ("none", "")
    if not _live_wildcards(parts):
        return ("exact", _flat(parts))
    if parts == ("*",):
        return ("all", "")
    return ("regex", _glob_regex(parts))


class ArnPattern:
    """A Resource/NotResource entry or an ``Arn*`` condition value (see :func:`classify_arn`)."""

    __slots__ = ("_cache", "_static", "_template", "_variables", "has_variables", "text")

    def __init__(self, text: str, variables: bool) -> None:
        self.text = text
        self._template = parse_template(text, variables)
        self._variables = self._template.variables
        self.has_variables = bool(self._variables)
        self._static = None if self.has_variables else classify_arn(self._template.parts)
        self._cache: dict[tuple[str | None, ...], Matcher | None] = {}

    @property
    def static(self) -> tuple[str, str] | None:
        """The classified pattern when it has no variables (for combining into one matcher)."""
        return self._static

    def matcher(self, keys: KeyValues) -> Matcher | None:
        """A matcher with the request's variables substituted; ``None`` if one is unresolvable."""
        if self._static is not None:
            return combined_matcher([self._static]) if self._static[0] != "none" else match_none
        values = tuple(_lookup(v, keys) for v in self._variables)
        try:
            return self._cache[values]
        except KeyError:
            pass
        resolved = self._template.resolve(keys)
        m = None
        if resolved is not None:
            kind, payload = classify_arn(resolved)
            m = match_none if kind == "none" else combined_matcher([(kind, payload)])
        if len(self._cache) > 1024:
            # Bounded: one entry per distinct set of variable values (users, tags).
            self._cache.clear()
        self._cache[values] = m
        return m

    def matches(self, value: str, keys: KeyValues) -> bool:
        m = self.matcher(keys)
        # AWS: a Resource whose variable cannot be resolved matches nothing.
        return m is not None and m(value)


def _lookup(var: Variable, keys: KeyValues) -> str | None:
    values = keys.get(var.key)
    if values is not None and len(values) == 1:
        return values[0]
    return var.default


def resources_matcher(
    patterns: tuple[ArnPattern, ...], *, unresolved_matches: bool = False
) -> Callable[[str, KeyValues], bool]:
    """One test for a statement's Resource list: static patterns combined, variable ones per request.

    ``unresolved_matches`` makes a pattern whose variable cannot be resolved count as
    matching: for an Allow with ``NotResource`` that is the safe reading (the statement
    then grants nothing) — treating it as "matches nothing" would grant everywhere.
    """
    static = [p.static for p in patterns if p.static is not None]
    dynamic = tuple(p for p in patterns if p.static is None)
    combined = combined_matcher([s for s in static if s[0] != "none"]) if static else match_none
    if not any(s[0] != "none" for s in static):
        combined = match_none
    if not dynamic:

        def static_only(value: str, _keys: KeyValues) -> bool:
            return combined(value)

        return static_only

    def match(value: str, keys: KeyValues) -> bool:
        if combined(value):
            return True
        for p in dynamic:
            m = p.matcher(keys)
            if m is None:
                if unresolved_matches:
                    return True
            elif m(value):
                return True
        return False

    return match


# --- actions ---------------------------------------------------------------------------


def action_service(pattern: str) -> str | None:
    """Service prefix of an action pattern for indexing; ``None`` when it may match any service."""
    service, sep, _ = pattern.lower().partition(":")
    if not sep or "*" in service or "?" in service:
        return None
    return service


def actions_matcher(patterns: tuple[str, ...]) -> Matcher:
    """One matcher for a statement's Action list.

    Actions are case-insensitive, so patterns are lower-cased here and the
    request's action must arrive lower-cased. Exact names go to a set, ``prefix*``
    patterns to one ``str.startswith(tuple)`` call and the rest to one combined
    regular expression, so a statement costs at most three C-level calls.
    """
    return combined_matcher([glob_regex_parts(p.lower()) for p in patterns])


def glob_regex_parts(pattern: str) -> tuple[str, str]:
    """(``exact``|``prefix``|``all``|``regex``, payload) for a plain glob."""
    if pattern == "*":
        return ("all", "")
    star = pattern.find("*")
    if "?" not in pattern:
        if star < 0:
            return ("exact", pattern)
        if star == len(pattern) - 1:
            return ("prefix", pattern[:-1])
    return ("regex", _glob_regex((pattern,)))


def combined_matcher(items: list[tuple[str, str]]) -> Matcher:
    if any(kind == "all" for kind, _ in items):
        return match_all
    exact = frozenset(v for kind, v in items if kind == "exact")
    prefixes = tuple(v for kind, v in items if kind == "prefix")
    regexes = [v for kind, v in items if kind == "regex"]
    rx = re.compile("|".join(f"(?:{r})" for r in regexes), re.DOTALL).fullmatch if regexes else None
    if not prefixes and rx is None:
        return exact.__contains__
    if not exact and rx is None:

        def by_prefix(value: str) -> bool:
            return value.startswith(prefixes)

        return by_prefix

    def match(value: str) -> bool:
        if value in exact or (prefixes and value.startswith(prefixes)):
            return True
        return rx is not None and rx(value) is not None

    return match


# --- pattern against pattern (policy simulation over a set of resources) ----------------
#
# A simulator may ask about a resource *pattern* ("arn:aws:s3:::bucket/*") rather than
# one resource. An Allow then applies if it could apply to some resource in the set
# (the patterns overlap); a Deny only if it applies to every one of them (the policy
# pattern covers the request pattern). Real requests never use this: a ``*`` in a real
# S3 key is just a character.

#: A glob as tokens: one-character strings are literals, ``"**"`` any run, ``"??"`` one character.
Tokens = tuple[str, ...]
STAR, ONE = "**", "??"


def glob_tokens(parts: tuple[Part, ...]) -> Tokens:
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            out.extend(STAR if ch == "*" else ONE if ch == "?" else ch for ch in p)
        elif isinstance(p, Literal):
            out.extend(p.text)
    return tuple(out)


def tokens_overlap(a: Tokens, b: Tokens) -> bool:
    """Is there a string both globs match? (Breadth-first search over the product automaton.)"""
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    la, lb = len(a), len(b)
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == la and j == lb:
            return True
        ta = a[i] if i < la else None
        tb = b[j] if j < lb else None
        if ta == STAR:
            stack.append((i + 1, j))
        if tb == STAR:
            stack.append((i, j + 1))
        if ta is None or tb is None:
            continue
        # Both consume one character: compatible unless two different literals.
        if len(ta) == 1 and len(tb) == 1 and ta != tb:
            continue
        stack.append((i if ta == STAR else i + 1, j if tb == STAR else j + 1))
    return False


def tokens_cover(outer: Tokens, inner: Tokens) -> bool:
    """Does every string ``inner`` matches also match ``outer``?

    Decided by matching ``inner``'s tokens as symbols: an ``outer`` ``*`` absorbs any
    tokens, ``?`` one non-``*`` token, a literal only itself. Sound (never claims a
    cover that does not hold) and exact for the shapes policies use; it can miss
    exotic equalities such as ``??*`` ⊆ ``?*?``, which only makes a simulated Deny
    look narrower, never an Allow wider.
    """
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(outer):
            r = j == len(inner)
        elif outer[i] == STAR:
            r = go(i + 1, j) or (j < len(inner) and go(i, j + 1))
        elif j == len(inner):
            r = False
        elif outer[i] == ONE:
            r = inner[j] != STAR and go(i + 1, j + 1)
        else:
            r = inner[j] == outer[i] and go(i + 1, j + 1)
        memo[key] = r
        return r

    return go(0, 0)


def pattern_fields(text: str) -> list[Tokens]:
    """A request resource pattern as six field globs (or one whole-string glob)."""
    fields = split_arn(text)
    if fields is None:
        return [glob_tokens((text,))]
    return [glob_tokens((f,)) for f in fields]


def _align(policy: list[Tokens], request: list[Tokens]) -> tuple[list[Tokens], list[Tokens]]:
    if len(policy) == len(request):
        return policy, request

    def whole(fields: list[Tokens]) -> list[Tokens]:
        out: list[str] = []
        for n, f in enumerate(fields):
            if n:
                out.append(":")
            out.extend(f)
        return [tuple(out)]

    return whole(policy), whole(request)


def fields_overlap(policy: list[Tokens], request: list[Tokens]) -> bool:
    p, r = _align(policy, request)
    return all(tokens_overlap(a, b) for a, b in zip(p, r))


def fields_cover(policy: list[Tokens], request: list[Tokens]) -> bool:
    p, r = _align(policy, request)
    return all(tokens_cover(a, b) for a, b in zip(p, r))


def arn_pattern_fields(pattern: ArnPattern, keys: KeyValues) -> list[Tokens] | None:
    """The policy pattern's field globs, variables resolved; ``None`` if one cannot be."""
    resolved = pattern._template.resolve(keys)
    if resolved is None:
        return None
    fields = _split_template(Template(resolved))
    if len(fields) == 6 and fields[0] == ("arn",):
        return [glob_tokens(f) for f in fields]
    return [glob_tokens(resolved)]
