"""The AWS Query protocol (STS, IAM, ...) driven entirely by the botocore service models.

A :class:`QueryService` is built once per service. For each operation, on first use, it
compiles three things from the model and keeps them:

* a **decoder** from the flat form (``Tags.member.1.Key=...``) to typed input keyed by the
  model's member names (exactly what a boto3 caller passed);
* a **validator** of the model's constraints producing AWS's Coral-style
  ``ValidationError`` message (§1.4 of the behaviour reference);
* a **renderer** of the success document (:mod:`credmint.wire.xml`).

Nothing here is written per field, so every operation of every Query service gets decoding,
validation and rendering from its model.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from credmint import errors
from credmint.redaction import SECRET_MEMBERS
from credmint.wire import xml
from credmint.wire.patterns import compile_java

#: Whether AWS quotes the offending value in validation messages, per service. STS does
#: (``Value 'Session1:2' at 'roleSessionName'``); IAM answers ``Value at 'status' failed to
#: satisfy constraint: Member must satisfy enum value set`` with neither the value nor the
#: enum set (both recorded from real AWS in LocalStack's IAM snapshots, 2025). Services not
#: listed use the classic Coral form that quotes the value.
ECHO_VALUES: dict[str, bool] = {"sts": True, "iam": False}

#: IAM words a bad path its own way instead of the model's pattern constraint, and refuses
#: ``//`` inside one, which the model's pattern admits (IAM API reference, the Path
#: parameter of CreateUser/CreateRole/...; the text as AWS answers it, recorded in moto's
#: IAM tests). A path parameter that breaks either answers this one ValidationError.
IAM_PATH_MESSAGE = (
    "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric "
    "characters and/or / characters."
)
_IAM_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?")


def _iam_path_check(value: Any, path: str, errs: list[str]) -> None:
    if not isinstance(value, str) or not _IAM_PATH.fullmatch(value) or "//" in value or len(value) > 512:
        raise errors.ValidationError(IAM_PATH_MESSAGE)


#: Shapes whose checks a service words itself, replacing the model's constraints.
SHAPE_CHECKS: dict[str, dict[str, Callable[[Any, str, list[str]], None]]] = {
    "iam": {"pathType": _iam_path_check, "policyPathType": _iam_path_check},
}

#: Element order AWS actually sends where it differs from the model's member order
#: (§1.2, observed); parsers do not care, byte-level comparisons with AWS do.
MEMBER_ORDER: dict[str, dict[str, tuple[str, ...]]] = {
    "sts": {
        "GetCallerIdentityResponse": ("Arn", "UserId", "Account"),
        "AssumeRoleResponse": ("AssumedRoleUser", "Credentials"),
    },
}

_MISSING: Any = object()

# --- the parameter tree -----------------------------------------------------------------


class _Node:
    """One dotted segment of the flat parameter names (``Tags`` → ``member`` → ``1`` → ``Key``)."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


def _tree(params: Mapping[str, str]) -> _Node:
    root = _Node()
    for key, value in params.items():
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            node = child
        node.value = value
    return root


def _indexed(node: _Node) -> list[_Node]:
    """Children named ``1``, ``2``, ... in numeric order (gaps tolerated, others ignored)."""
    items = [(int(k), c) for k, c in node.children.items() if k.isascii() and k.isdigit() and k[0] != "0"]
    items.sort(key=lambda kc: kc[0])
    return [c for _, c in items]


# --- scalar decoding --------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]?Infinity")
_INT_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}

Decoder = Callable[[_Node], Any]


def _integer_decoder(type_name: str) -> Decoder:
    lo, hi = _INT_RANGES[type_name]

    def decode(node: _Node) -> Any:
        text = node.value
        if text is None:
            return _MISSING
        # AWS: "+900" and "0900" are 900; "" is "missing value for decimal type"; "abc",
        # "900.0" and values outside int32 are MalformedInput without a message [obs §1.1].
        if text == "":
            raise errors.MalformedInput(missing_decimal=True)
        if _INTEGER.fullmatch(text) is None:
            raise errors.MalformedInput()
        value = int(text)
        if not lo <= value <= hi:
            raise errors.MalformedInput()
        return value

    return decode


def _decode_float(node: _Node) -> Any:
    text = node.value
    if text is None:
        return _MISSING
    if text == "":
        raise errors.MalformedInput(missing_decimal=True)
    if _FLOAT.fullmatch(text) is None:
        raise errors.MalformedInput()
    return float(text)


def _decode_bool(node: _Node) -> Any:
    text = node.value
    if text is None:
        return _MISSING
    # SDKs send exactly "true"/"false"; accepting other cases is the lenient choice
    # (AWS's handling of "True" is unconfirmed). Anything else is malformed.
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise errors.MalformedInput()


def _parse_timestamp(text: str) -> datetime:
    # SDKs send ISO 8601 (botocore: "2015-01-25T08:00:00Z", with microseconds when set);
    # members with another timestampFormat trait get epoch seconds or an HTTP date.
    if _FLOAT.fullmatch(text) and "N" not in text and "I" not in text:
        return datetime.fromtimestamp(float(text), UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = parsedate_to_datetime(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decode_timestamp(node: _Node) -> Any:
    text = node.value
    if text is None:
        return _MISSING
    try:
        return _parse_timestamp(text)
    except (ValueError, TypeError, OverflowError, OSError):
        raise errors.MalformedInput() from None


def _decode_blob(node: _Node) -> Any:
    text = node.value
    if text is None:
        return _MISSING
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise errors.MalformedInput() from None


def _decode_string(node: _Node) -> Any:
    return _MISSING if node.value is None else node.value


# --- validation messages ----------------------------------------------------------------

Check = Callable[[Any, str, list[str]], None]


def _java_value(value: Any) -> str:
    """How Coral prints a value inside ``Value '...'`` (Java ``toString``).

    Strings and numbers are exact. Lists print as Java lists (``[a, b]``, as in
    ``Value '[]' at 'attributesToGet'``); the text for structures and maps inside them is
    unconfirmed and mimics Coral's generated ``toString``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}: {_java_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _lower_first(name: str) -> str:
    # Coral names members with a lower-case first letter only: RoleArn → roleArn,
    # SAMLAssertion → sAMLAssertion.
    return name[:1].lower() + name[1:]


#: The constraint a NUL breaks where the model's own constraints admit it (credmint's wording).
NUL_CONSTRAINT = "Member must not contain a NUL character"


def _null(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def _breaks_pattern(regex: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda v: regex.fullmatch(v) is None


def _outside(allowed: frozenset[str]) -> Callable[[Any], bool]:
    return lambda v: v not in allowed


def _shorter_than(n: int) -> Callable[[Any], bool]:
    return lambda v: len(v) < n


def _longer_than(n: int) -> Callable[[Any], bool]:
    return lambda v: len(v) > n


def _less_than(n: float) -> Callable[[Any], bool]:
    return lambda v: bool(v < n)


def _more_than(n: float) -> Callable[[Any], bool]:
    return lambda v: bool(v > n)


@dataclass(frozen=True, slots=True)
class _Style:
    echo_values: bool
    #: Shape name -> a check that replaces the model's (``SHAPE_CHECKS``).
    shape_checks: Mapping[str, Callable[[Any, str, list[str]], None]] = field(default_factory=dict)


class _Compiler:
    """Builds decoders and validators for one service model (cached per shape name)."""

    def __init__(self, style: _Style) -> None:
        self.style = style
        self._decoders: dict[str, Decoder] = {}
        self._checks: dict[str, Check | None] = {}

    # decoding ---------------------------------------------------------------------------

    def decoder(self, shape: Shape) -> Decoder:
        # ``flattened`` may be set on the member rather than on the shape, so it is part
        # of the cache key.
        key = f"{shape.name}#flat" if shape.serialization.get("flattened") else shape.name
        cached = self._decoders.get(key)
        if cached is not None:
            return cached
        if isinstance(shape, StructureShape):
            # Trampoline for recursive structures (see xml.ShapeWriter.content).
            cell: list[Decoder] = []
            self._decoders[key] = lambda node: cell[0](node)
            result = self._struct_decoder(shape)
            cell.append(result)
        else:
            result = self._build_decoder(shape)
        self._decoders[key] = result
        return result

    def _member_keys(self, name: str, member: Shape) -> tuple[str, ...]:
        """The possible first segments of a member's parameter names, preferred first."""
        own = member.serialization.get("name")
        keys = [str(own) if own else name]
        if isinstance(member, ListShape) and member.serialization.get("flattened"):
            # A flattened list is sent under its member's locationName (``ListArgLocation.1``);
            # when the structure member also has one, the Smithy suite sends that
            # (``Hi.1``) while botocore sends the list member's (``item.1``): accept both.
            inner = member.member.serialization.get("name")
            if inner:
                keys.insert(0 if not own else 1, str(inner))
        return tuple(dict.fromkeys(keys))

    def _struct_decoder(self, shape: StructureShape) -> Decoder:
        items = tuple(
            (name, self._member_keys(name, member), self.decoder(member))
            for name, member in shape.members.items()
        )

        def decode(node: _Node) -> Any:
            children = node.children
            out: dict[str, Any] = {}
            for name, keys, dec in items:
                for key in keys:
                    child = children.get(key)
                    if child is not None:
                        value = dec(child)
                        if value is not _MISSING:
                            out[name] = value
                            break
            return out

        return decode

    def _build_decoder(self, shape: Shape) -> Decoder:
        t = shape.type_name
        if isinstance(shape, ListShape):
            item = self.decoder(shape.member)
            flattened = bool(shape.serialization.get("flattened"))
            member_key = str(shape.member.serialization.get("name", "member"))

            def decode_list(node: _Node) -> Any:
                holder = node if flattened else node.children.get(member_key)
                if holder is not None:
                    values = [item(c) for c in _indexed(holder)]
                    values = [v for v in values if v is not _MISSING]
                    if values:
                        return values
                # The Query protocol sends an empty list as ``Name=`` [§1.1].
                if node.value == "":
                    return []
                return _MISSING

            return decode_list
        if isinstance(shape, MapShape):
            key_dec = self.decoder(shape.key)
            val_dec = self.decoder(shape.value)
            flattened = bool(shape.serialization.get("flattened"))
            key_name = str(shape.key.serialization.get("name", "key"))
            val_name = str(shape.value.serialization.get("name", "value"))

            def decode_map(node: _Node) -> Any:
                holder = node if flattened else node.children.get("entry")
                out: dict[Any, Any] = {}
                if holder is not None:
                    for entry in _indexed(holder):
                        k_node = entry.children.get(key_name)
                        v_node = entry.children.get(val_name)
                        if k_node is None:
                            continue
                        k = key_dec(k_node)
                        v = val_dec(v_node) if v_node is not None else _MISSING
                        if k is not _MISSING and v is not _MISSING:
                            out[k] = v
                if out or node.value == "":
                    return out
                return _MISSING

            return decode_map
        if t in _INT_RANGES:
            return _integer_decoder(t)
        if t in ("float", "double"):
            return _decode_float
        if t == "boolean":
            return _decode_bool
        if t == "timestamp":
            return _decode_timestamp
        if t == "blob":
            return _decode_blob
        return _decode_string

    # validation -------------------------------------------------------------------------

    def check(self, shape: Shape) -> Check | None:
        """The validator for a value of ``shape``, or None when the model constrains nothing."""
        if shape.name in self._checks:
            return self._checks[shape.name]
        if isinstance(shape, StructureShape):
            cell: list[Check | None] = []

            def trampoline(value: Any, path: str, errs: list[str]) -> None:
                fn = cell[0]
                if fn is not None:
                    fn(value, path, errs)

            self._checks[shape.name] = trampoline
            result = self._struct_check(shape)
            cell.append(result)
        else:
            result = self._build_check(shape)
        self._checks[shape.name] = result
        return result

    def _struct_check(self, shape: StructureShape) -> Check | None:
        required = set(shape.required_members)
        items = []
        for name, member in shape.members.items():
            if name in SECRET_MEMBERS and not isinstance(member, (StructureShape, ListShape, MapShape)):
                # A one-time code or a password the model does not mark sensitive: its
                # message quotes no value (a mistyped MFA code holds the live one), as for
                # the members it does mark. The message reaches the audit trail.
                fn = self._build_check(member, echo=False)
            else:
                fn = self.check(member)
            if fn is not None or name in required:
                items.append((name, _lower_first(name), name in required, fn))
        if not items:
            return None
        members = tuple(items)

        def check_struct(value: Mapping[str, Any], path: str, errs: list[str]) -> None:
            get = value.get
            for name, seg, req, fn in members:
                p = f"{path}.{seg}" if path else seg
                v = get(name)
                if v is None:
                    if req:
                        errs.append(_null(p))
                elif fn is not None:
                    fn(v, p, errs)

        return check_struct

    def _build_check(self, shape: Shape, *, echo: bool = True) -> Check | None:
        own = self.style.shape_checks.get(shape.name)
        if own is not None:
            return own
        meta = shape.metadata
        echo = echo and self.style.echo_values and not meta.get("sensitive")

        def fail(value: Any, path: str, constraint: str) -> str:
            shown = f"Value '{_java_value(value)}' at" if echo else "Value at"
            return f"{shown} '{path}' failed to satisfy constraint: {constraint}"

        # For one value, AWS reports the pattern before the length [obs §1.4]; the place
        # of the enum check among them is unconfirmed (no value can break both).
        rules: list[tuple[Callable[[Any], bool], str]] = []
        pattern = meta.get("pattern")
        if pattern is not None and shape.type_name == "string":
            rules.append(
                (
                    _breaks_pattern(compile_java(pattern)),
                    f"Member must satisfy regular expression pattern: {pattern}",
                )
            )
        enum = meta.get("enum")
        if enum and shape.type_name == "string":
            text = "Member must satisfy enum value set"
            if echo:
                text += ": [" + ", ".join(enum) + "]"
            rules.append((_outside(frozenset(enum)), text))
        # A form value can carry a NUL (``%00``) where the model sets no pattern, or one that
        # admits it; PostgreSQL's text refuses it, so it would fail the statement that came
        # to store or look it up. AWS's answer is unconfirmed: a NUL no other constraint
        # refused is refused as one more, in credmint's wording.
        refuse_nul = shape.type_name == "string" and not enum
        lo, hi = meta.get("min"), meta.get("max")
        if shape.type_name in ("string", "list", "map", "blob"):
            # Lengths count code points (Python's len of str), bytes for blobs [obs §1.4].
            if lo is not None:
                rules.append((_shorter_than(lo), f"Member must have length greater than or equal to {lo}"))
            if hi is not None:
                rules.append((_longer_than(hi), f"Member must have length less than or equal to {hi}"))
        elif shape.type_name in (*_INT_RANGES, "float", "double"):
            if lo is not None:
                rules.append((_less_than(lo), f"Member must have value greater than or equal to {lo}"))
            if hi is not None:
                rules.append((_more_than(hi), f"Member must have value less than or equal to {hi}"))
        checks = tuple(rules)

        inner: Check | None = None
        if isinstance(shape, ListShape):
            item = self.check(shape.member)
            if item is not None:
                item_check = item

                def check_items(value: Any, path: str, errs: list[str]) -> None:
                    # Coral's path for list elements: ``policyArns.1.member.arn``.
                    for i, v in enumerate(value, 1):
                        if v is not None:
                            item_check(v, f"{path}.{i}.member", errs)

                inner = check_items
        elif isinstance(shape, MapShape):
            key_check = self.check(shape.key)
            val_check = self.check(shape.value)
            if key_check is not None or val_check is not None:

                def check_entries(value: Any, path: str, errs: list[str]) -> None:
                    # Map paths are unconfirmed (IAM's first map inputs are recent:
                    # PutAccountProperties, AcquireRole); keys are checked like any string.
                    for k, v in value.items():
                        if key_check is not None:
                            key_check(k, f"{path}.{k}.key", errs)
                        if val_check is not None:
                            val_check(v, f"{path}.{k}.member", errs)

                inner = check_entries
        if not checks and inner is None and not refuse_nul:
            return None
        nested = inner

        def check_value(value: Any, path: str, errs: list[str]) -> None:
            found = len(errs)
            for broken, constraint in checks:
                if broken(value):
                    errs.append(fail(value, path, constraint))
            if refuse_nul and len(errs) == found and "\x00" in value:
                errs.append(fail(value, path, NUL_CONSTRAINT))
            if nested is not None:
                nested(value, path, errs)

        return check_value


def validation_message(errs: list[str]) -> str:
    """``N validation error(s) detected: a; b`` (§1.4)."""
    n = len(errs)
    return f"{n} validation error{'s' if n != 1 else ''} detected: " + "; ".join(errs)


# --- the service ------------------------------------------------------------------------


@dataclass(slots=True)
class _Operation:
    model: OperationModel
    decode: Decoder | None
    check: Check | None
    render: xml.QueryRenderer


class QueryService:
    """One AWS Query service (``sts``, ``iam``...), from its botocore model."""

    def __init__(self, model: ServiceModel, *, echo_values: bool | None = None) -> None:
        self.model = model
        self.name: str = model.metadata.get("endpointPrefix", "")
        self.api_version: str = model.metadata.get("apiVersion", "")
        self.namespace: str = model.metadata.get("xmlNamespace", "")
        if echo_values is None:
            echo_values = ECHO_VALUES.get(self.name, True)
        self._compiler = _Compiler(_Style(echo_values, SHAPE_CHECKS.get(self.name, {})))
        self._writer = xml.ShapeWriter(xml.iso8601_seconds, member_order=MEMBER_ORDER.get(self.name, {}))
        self._names = frozenset(model.operation_names)
        self._ops: dict[str, _Operation] = {}

    def _op(self, op: OperationModel | str) -> _Operation:
        name = op if isinstance(op, str) else op.name
        compiled = self._ops.get(name)
        if compiled is None:
            model = self.model.operation_model(name)
            shape = model.input_shape
            compiled = _Operation(
                model,
                # No members (GetCallerIdentity): skip building the parameter tree at all.
                self._compiler.decoder(shape) if shape is not None and shape.members else None,
                self._compiler.check(shape) if shape is not None else None,
                xml.compile_query_renderer(self._writer, self.namespace, model),
            )
            self._ops[name] = compiled
        return compiled

    def resolve(self, action: str | None, version: str | None) -> OperationModel:
        """The operation named by ``Action`` at ``Version``, or AWS's ``InvalidAction``."""
        return self.operation(action, version).model

    def operation(self, action: str | None, version: str | None) -> _Operation:
        """Like :meth:`resolve`, but the compiled operation (decoder, checks, renderer)."""
        if action is None or version != self.api_version or action not in self._names:
            raise errors.InvalidAction(action if action is not None else "", version)
        compiled = self._ops.get(action)
        return compiled if compiled is not None else self._op(action)

    def decode(
        self, op: OperationModel | str, params: Mapping[str, str], *, validate: bool = True
    ) -> dict[str, Any]:
        """Typed input for ``op`` from the flat parameters; unknown parameters are ignored.

        Raises ``MalformedInput`` for numbers/booleans/timestamps/blobs that do not parse and,
        unless ``validate`` is false, ``ValidationError`` for broken model constraints.
        """
        return self.decode_compiled(self._op(op), params, validate=validate)

    @staticmethod
    def decode_compiled(
        compiled: _Operation, params: Mapping[str, str], *, validate: bool = True
    ) -> dict[str, Any]:
        """:meth:`decode` for an operation :meth:`operation` returned."""
        if compiled.decode is None:
            return {}
        value: dict[str, Any] = compiled.decode(_tree(params))
        if validate and compiled.check is not None:
            errs: list[str] = []
            compiled.check(value, "", errs)
            if errs:
                raise errors.ValidationError(validation_message(errs))
        return value

    def validation_errors(self, op: OperationModel | str, value: Mapping[str, Any]) -> list[str]:
        """Each constraint ``value`` breaks, worded as AWS does (empty when valid)."""
        compiled = self._op(op)
        errs: list[str] = []
        if compiled.check is not None:
            compiled.check(value, "", errs)
        return errs

    def renderer(self, op: OperationModel | str) -> xml.QueryRenderer:
        return self._op(op).render

    def render_result(
        self, op: OperationModel | str, result: Mapping[str, Any] | None, request_id: str
    ) -> bytes:
        return self._op(op).render(result, request_id)

    def render_error(self, err: errors.AwsError, request_id: str) -> bytes:
        return xml.render_error(err, self.namespace, request_id)


@cache
def load_model(name: str) -> ServiceModel:
    """A botocore service model, loaded once per process (the only I/O of ``wire``)."""
    from botocore.session import get_session

    return get_session().get_service_model(name)


@cache
def query_service(name: str) -> QueryService:
    """The shared :class:`QueryService` for ``sts``, ``iam``..."""
    return QueryService(load_model(name))


def render_result(
    service: QueryService, op: OperationModel | str, result: Mapping[str, Any] | None, request_id: str
) -> bytes:
    """The Query success document for ``op`` (renderer compiled once per operation)."""
    return service.renderer(op)(result, request_id)
