"""Wildcards, ARNs and policy variables.

Everything here is compiled once per policy and then called per request, so the
common shapes (``*``, an exact string, a ``prefix*``) get a fast path (a set, one
``str.startswith``); the rest becomes a :class:`Glob`.

No glob ever becomes a regular expression. A backtracking regex built from
``*a*a*a*a*x`` takes time exponential in the number of stars on a value that
almost matches, so anyone who may write a policy (or a bucket policy an
anonymous caller is evaluated against) could hold the interpreter for minutes.
A :class:`Glob` is the pattern cut at its stars into fixed-length segments: the
first is anchored at the start, the last at the end, and each one between is
placed at its leftmost occurrence after the previous one (``str.find``). Taking
the leftmost occurrence is never wrong, since a ``*`` follows it and can absorb
whatever an occurrence further right would have left over; so there is nothing
to backtrack over, and the cost is at most O(len(pattern) × len(value)).

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
from typing import NamedTuple

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


#: A glob as tokens: one-character strings are literals, ``"**"`` any run, ``"??"`` one character.
Tokens = tuple[str, ...]
STAR, ONE = "**", "??"


def glob_tokens(parts: tuple[Part, ...]) -> Tokens:
    """Resolved template parts as tokens; a :class:`Literal`'s ``*`` and ``?`` are plain characters."""
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            out.extend(STAR if ch == "*" else ONE if ch == "?" else ch for ch in p)
        elif isinstance(p, Literal):
            out.extend(p.text)
        else:  # pragma: no cover - resolved before we get here
            raise TypeError("unresolved variable")
    return tuple(out)


class _Segment:
    """A run of a glob between two stars: fixed length, literal chunks separated by ``?``."""

    __slots__ = ("anchor", "chunks", "plain", "size")

    def __init__(self, tokens: Tokens) -> None:
        self.size = len(tokens)
        chunks: list[tuple[int, str]] = []
        start = 0
        run: list[str] = []
        for i, t in enumerate(tokens):
            if t == ONE:
                if run:
                    chunks.append((start, "".join(run)))
                    run = []
            else:
                if not run:
                    start = i
                run.append(t)
        if run:
            chunks.append((start, "".join(run)))
        #: (offset, text) of each literal chunk.
        self.chunks = tuple(chunks)
        #: The whole segment when it holds no ``?``: then one ``str.find`` places it.
        self.plain = "".join(tokens) if ONE not in tokens else None
        #: The longest chunk, searched for first when the segment does hold a ``?``.
        self.anchor = max(chunks, key=lambda c: len(c[1])) if chunks else None

    def at(self, value: str, i: int) -> bool:
        """Does the segment match ``value`` at ``i``? (The caller checked that it fits.)"""
        return all(value.startswith(text, i + off) for off, text in self.chunks)

    def find(self, value: str, start: int, end: int) -> int:
        """Leftmost ``i`` in ``[start, end - size]`` where the segment matches, or -1.

        Each candidate costs at most ``size`` character comparisons and there are at
        most ``end - start`` of them: O(len(segment) × len(value)).
        """
        if self.plain is not None:
            return value.find(self.plain, start, end)
        last = end - self.size
        if last < start:
            return -1
        if self.anchor is None:
            return start  # only ``?``: any position that fits
        off, text = self.anchor
        stop = last + off + len(text)
        j = value.find(text, start + off, stop)
        while j >= 0:
            if self.at(value, j - off):
                return j - off
            j = value.find(text, j + 1, stop)
        return -1


class Glob:
    """A compiled ``*``/``?`` glob; calling it matches a whole value (see the module docstring)."""

    __slots__ = ("first", "last", "middle", "minimum", "only")

    def __init__(self, tokens: Tokens) -> None:
        segments: list[list[str]] = [[]]
        for t in tokens:
            if t == STAR:
                segments.append([])
            else:
                segments[-1].append(t)
        compiled = [_Segment(tuple(seg)) for seg in segments]
        self.only = compiled[0] if len(compiled) == 1 else None
        self.first = compiled[0]
        self.last = compiled[-1]
        self.middle = tuple(seg for seg in compiled[1:-1] if seg.size)
        self.minimum = sum(seg.size for seg in compiled)

    def __call__(self, value: str) -> bool:
        n = len(value)
        if n < self.minimum:
            return False
        if self.only is not None:
            return n == self.only.size and self.only.at(value, 0)
        if not self.first.at(value, 0):
            return False
        end = n - self.last.size
        if not self.last.at(value, end):
            return False
        pos = self.first.size
        for seg in self.middle:
            i = seg.find(value, pos, end)
            if i < 0:
                return False
            pos = i + seg.size
        return True


def admits_prefix(tokens: Tokens, prefix: str) -> bool:
    """Does the glob match some value that starts with ``prefix``?

    Only the run before the first ``*`` constrains how a value may start (a ``*``
    then absorbs the rest of ``prefix``, and whatever follows it can always be
    satisfied), so this is one left-to-right comparison.
    """
    for i, ch in enumerate(prefix):
        if i == len(tokens):
            return False
        t = tokens[i]
        if t == STAR:
            return True
        if t != ONE and t != ch:
            return False
    return True


def names_within(pattern: str, base: str) -> bool:
    """Can a Resource ``pattern`` (no variables) name ``base`` or something under ``base/``?

    ARN-shaped patterns are compared field by field as :func:`classify_arn` matches
    them; the test is linear in the pattern's length.
    """
    fields = split_arn(pattern)
    base_fields = split_arn(base)
    if fields is None or base_fields is None:
        tokens = glob_tokens((pattern,))
        return Glob(tokens)(base) or admits_prefix(tokens, base + "/")
    for f, b in zip(fields[:5], base_fields[:5]):
        if not Glob(glob_tokens((f,)))(b):
            return False
    last = glob_tokens((fields[5],))
    return Glob(last)(base_fields[5]) or admits_prefix(last, base_fields[5] + "/")


class ArnGlob:
    """An ARN-shaped pattern matched field by field (see :func:`classify_arn`).

    The pattern's fields before the resource are cut at every ``:`` they hold (the
    five separators, plus any inside a substituted variable's value), and the value
    is walked over as many of its first colons: a wildcard there then cannot span a
    ``:``. The remainder, the resource field, is an ordinary glob and keeps its inner
    colons. Runs of exact fields are one ``str.startswith``, a ``*`` field one
    ``str.find`` of the next colon: no field is copied unless a glob must see it.
    """

    __slots__ = ("steps", "tail")

    def __init__(self, head: Tokens, tail: Tokens) -> None:
        pieces: list[list[str]] = [[]]
        for t in head:
            if t == ":":
                pieces.append([])
            else:
                pieces[-1].append(t)
        steps: list[tuple[str, Matcher | None]] = []
        for p in pieces:
            if STAR not in p and ONE not in p:
                text = "".join(p) + ":"
                if steps and steps[-1][1] is None:
                    text = steps.pop()[0] + text  # adjacent exact fields: one comparison
                steps.append((text, None))
            elif p == [STAR]:
                steps.append(("", match_all))
            else:
                steps.append(("", Glob(tuple(p))))
        #: (``text``, None): the value continues with ``text`` (exact fields and their
        #: colons); ("", matcher): the next field, up to its colon, must satisfy it.
        self.steps = tuple(steps)
        self.tail: Matcher | None = None if tail == (STAR,) else Glob(tail)

    def matcher(self) -> Matcher:
        """The test as one closure (cheaper to call than an object)."""
        steps, tail = self.steps, self.tail

        def match(value: str) -> bool:
            pos = 0
            for text, field in steps:
                if field is None:
                    if not value.startswith(text, pos):
                        return False
                    pos += len(text)
                else:
                    end = value.find(":", pos)
                    if end < 0 or (field is not match_all and not field(value[pos:end])):
                        return False
                    pos = end + 1
            return tail is None or tail(value[pos:])

        return match


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
    return _glob(glob_tokens((pattern,)))


def _startswith(prefix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.startswith(prefix)

    return match


@lru_cache(maxsize=4096)
def _glob(tokens: Tokens) -> Matcher:
    return Glob(tokens)


def parts_matcher(parts: tuple[Part, ...], *, fold_case: bool = False) -> Matcher:
    """Matcher for resolved template parts (wildcard text plus literals)."""
    if all(isinstance(p, str) for p in parts):
        return glob_matcher("".join(p for p in parts if isinstance(p, str)), fold_case=fold_case)
    if fold_case:
        parts = tuple(
            p.lower() if isinstance(p, str) else Literal(p.text.lower()) for p in parts if not isinstance(p, Variable)
        )
    return _parts_matcher_cached(parts)


@lru_cache(maxsize=4096)
def _parts_matcher_cached(parts: tuple[Part, ...]) -> Matcher:
    if not any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts):
        # No live wildcard: plain equality against the concatenation.
        text = "".join(p if isinstance(p, str) else p.text for p in parts if not isinstance(p, Variable))
        return text.__eq__
    return _glob(glob_tokens(parts))


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


def _live_wildcards(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts)


def _flat(parts: tuple[Part, ...]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts if not isinstance(p, Variable))


class Shape(NamedTuple):
    """A pattern classified for :func:`combined_matcher`.

    ``kind`` is ``exact`` or ``prefix`` (``text`` holds the string), ``all``, ``none``,
    or ``glob`` (``test`` holds the compiled :class:`Glob` or :class:`ArnGlob`).
    """

    kind: str
    text: str = ""
    test: Matcher | None = None


def classify_arn(parts: tuple[Part, ...]) -> Shape:
    """A resolved Resource pattern as a :class:`Shape`.

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
                return Shape("exact", prefix + _flat(last))
            if (
                len(last) >= 1
                and isinstance(last[-1], str)
                and last[-1].endswith("*")
                and not _live_wildcards((last[-1][:-1],))
                and not _live_wildcards(last[:-1])
            ):
                return Shape("prefix", prefix + _flat(last)[:-1])
        head_tokens: list[str] = []
        for n, f in enumerate(fields[:5]):
            if n:
                head_tokens.append(":")
            head_tokens.extend(glob_tokens(f))
        return Shape("glob", test=_arn_glob(tuple(head_tokens), glob_tokens(last)))
    if fields[0] == ("arn",):
        # ARN-shaped but with fewer than six fields: a ``*`` may not stand in for the
        # missing colons, so it matches nothing (IAM refuses such Resources anyway).
        return Shape("none")
    if not _live_wildcards(parts):
        return Shape("exact", _flat(parts))
    if parts == ("*",):
        return Shape("all")
    return Shape("glob", test=_glob(glob_tokens(parts)))


@lru_cache(maxsize=4096)
def _arn_glob(head: Tokens, tail: Tokens) -> Matcher:
    return ArnGlob(head, tail).matcher()


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
    def static(self) -> Shape | None:
        """The classified pattern when it has no variables (for combining into one matcher)."""
        return self._static

    def matcher(self, keys: KeyValues) -> Matcher | None:
        """A matcher with the request's variables substituted; ``None`` if one is unresolvable."""
        if self._static is not None:
            return combined_matcher([self._static]) if self._static.kind != "none" else match_none
        values = tuple(_lookup(v, keys) for v in self._variables)
        try:
            return self._cache[values]
        except KeyError:
            pass
        resolved = self._template.resolve(keys)
        m = None
        if resolved is not None:
            shape = classify_arn(resolved)
            m = match_none if shape.kind == "none" else combined_matcher([shape])
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
    combined = combined_matcher([s for s in static if s.kind != "none"]) if static else match_none
    if not any(s.kind != "none" for s in static):
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
    patterns to one ``str.startswith(tuple)`` call and the rest to :class:`Glob`s.
    """
    return combined_matcher([glob_shape(p.lower()) for p in patterns])


def glob_shape(pattern: str) -> Shape:
    """A plain glob (no variables) as a :class:`Shape`."""
    if pattern == "*":
        return Shape("all")
    star = pattern.find("*")
    if "?" not in pattern:
        if star < 0:
            return Shape("exact", pattern)
        if star == len(pattern) - 1:
            return Shape("prefix", pattern[:-1])
    return Shape("glob", test=_glob(glob_tokens((pattern,))))


def combined_matcher(items: list[Shape]) -> Matcher:
    if any(s.kind == "all" for s in items):
        return match_all
    exact = frozenset(s.text for s in items if s.kind == "exact")
    prefixes = tuple(s.text for s in items if s.kind == "prefix")
    globs = tuple(s.test for s in items if s.test is not None)
    if not prefixes and not globs:
        return exact.__contains__
    if not exact and not prefixes and len(globs) == 1:
        return globs[0]
    if not exact and not globs:

        def by_prefix(value: str) -> bool:
            return value.startswith(prefixes)

        return by_prefix

    def match(value: str) -> bool:
        if value in exact or (prefixes and value.startswith(prefixes)):
            return True
        return any(g(value) for g in globs)

    return match


# --- pattern against pattern (policy simulation over a set of resources) ----------------
#
# A simulator may ask about a resource *pattern* ("arn:aws:s3:::bucket/*") rather than
# one resource. An Allow then applies if it could apply to some resource in the set
# (the patterns overlap); a Deny only if it applies to every one of them (the policy
# pattern covers the request pattern). Real requests never use this: a ``*`` in a real
# S3 key is just a character.


def _without_repeated_stars(tokens: Tokens) -> Tokens:
    out: list[str] = []
    for t in tokens:
        if not (t == STAR and out and out[-1] == STAR):
            out.append(t)
    return tuple(out)


def _accepts(pattern: Tokens, text: Tokens, *, wild_text: bool) -> bool:
    """Does the glob ``pattern`` accept the token sequence ``text``?

    A bit-parallel run of the pattern's automaton: bit ``i`` of ``d`` says the text so
    far can be matched by ``pattern[:i]``; each text token costs a few operations on
    ints of len(pattern) bits, so the whole run is O(len(text) × len(pattern) / 64)
    word operations, with no recursion and no backtracking. A text ``*`` is absorbed
    only by a pattern ``*``; a text ``?`` is met by a pattern ``?`` (or, with
    ``wild_text``, by any single-character token, the text being a set of strings
    in which ``?`` may be any character).
    """
    pattern = _without_repeated_stars(pattern)
    n = len(pattern)
    star = one = 0
    literal: dict[str, int] = {}
    for i, t in enumerate(pattern):
        bit = 1 << i
        if t == STAR:
            star |= bit
        elif t == ONE:
            one |= bit
        else:
            literal[t] = literal.get(t, 0) | bit
    singles = ((1 << n) - 1) & ~star
    masks: dict[str, int] = {}
    d = 1 | ((1 & star) << 1)
    for t in text:
        m = masks.get(t)
        if m is None:
            if t == STAR:
                m = 0
            elif t == ONE:
                m = singles if wild_text else one
            else:
                m = one | literal.get(t, 0)
            masks[t] = m
        d = (d & star) | ((d & m) << 1)
        d |= (d & star) << 1
        if not d:
            return False
    return bool((d >> n) & 1)


def _compatible(a: Tokens, b: Tokens) -> bool:
    """Can two fixed-length token runs stand for the same text (position by position)?"""
    return all(x in (y, ONE) or y == ONE for x, y in zip(a, b))


def tokens_overlap(a: Tokens, b: Tokens) -> bool:
    """Is there a string both globs match?

    If one has no ``*`` it stands for strings of one length: the other must accept it.
    If both have a ``*``, they overlap exactly when their runs before the first ``*``
    agree and their runs after the last ``*`` agree: a string made of the longer
    start, every middle run of both, and the longer end is matched by both, each
    ``*`` absorbing what the other glob put there. Linear apart from the bit-parallel
    run, which is O(len(a) × len(b) / 64).
    """
    if STAR not in a:
        return _accepts(b, a, wild_text=True)
    if STAR not in b:
        return _accepts(a, b, wild_text=True)
    head_a, head_b = a[: a.index(STAR)], b[: b.index(STAR)]
    tail_a = a[len(a) - a[::-1].index(STAR) :]
    tail_b = b[len(b) - b[::-1].index(STAR) :]
    return _compatible(head_a, head_b) and _compatible(tail_a[::-1], tail_b[::-1])


def tokens_cover(outer: Tokens, inner: Tokens) -> bool:
    """Does every string ``inner`` matches also match ``outer``?

    Decided by matching ``inner``'s tokens as symbols: an ``outer`` ``*`` absorbs any
    tokens, ``?`` one non-``*`` token, a literal only itself. Sound (never claims a
    cover that does not hold) and exact for the shapes policies use; it can miss
    exotic equalities such as ``??*`` ⊆ ``?*?``, which only makes a simulated Deny
    look narrower, never an Allow wider.
    """
    return _accepts(outer, inner, wild_text=False)


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
