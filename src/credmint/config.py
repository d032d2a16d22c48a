"""The configuration file: every setting, in TOML, and the effective configuration shown back.

A file (``--config credmint.toml`` or ``CREDMINT_CONFIG``) is a flat TOML table whose keys
are the names of the :class:`~credmint.settings.Settings` fields, the same names as the
``CREDMINT_<NAME>`` environment variables in lower case::

    host = "0.0.0.0"
    port = 8443
    tls_cert = "/etc/credmint/tls.crt"
    tls_key = "/etc/credmint/tls.key"
    log_format = "json"

Precedence: flag > environment > file > default. The file is read generically from the
``Settings`` fields and the ``_FIELDS`` table of converters, so a new setting is configurable
here without edits. A value must have the TOML type of its field (:data:`_ACCEPTS`); a field
whose type is not in that table takes a string, converted as its environment variable is.
Unknown keys, wrong types and unreadable files are refused with a :class:`ConfigError` that
names the file and the key, before anything starts.

:func:`render` prints the effective configuration as TOML, with secret material replaced by
``"<redacted>"`` (:func:`is_secret`), so it can be pasted into an issue.
"""

from __future__ import annotations

import json
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path

from credmint.settings import _FIELDS, Settings

REDACTED = "<redacted>"

#: The TOML types each Python field type accepts. ``bool`` is a subclass of ``int`` in Python,
#: so it is refused explicitly where an integer is expected.
_ACCEPTS: Mapping[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    Path: (str,),
}

#: Words in a field name that mark its value as secret material (``config show`` redacts it).
_SECRET_WORDS = ("secret", "password", "token", "credential")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


def load(path: Path) -> dict[str, object]:
    """The settings a file sets, typed as the ``Settings`` fields are."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:  # TOML is UTF-8 only
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    hints = _field_types()
    values: dict[str, object] = {}
    for key, raw in data.items():
        if key not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            raise ConfigError(f"{path}: unknown setting {key!r} (known settings: {known})")
        try:
            values[key] = _coerce(raw, hints[key], key)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: setting {key!r}: {exc}") from None
    return values


def settings_from(path: Path | None, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the file (if any), then the environment, then the flags."""
    base = Settings(**load(path)) if path is not None else None  # type: ignore[arg-type]
    try:
        return Settings.from_env(env, base=base, **overrides)
    except ValueError as exc:  # an environment variable or flag a converter refused
        raise ConfigError(str(exc)) from None


def is_secret(name: str, value: object) -> bool:
    """Whether ``config show`` hides a field's value: named like secret material, or a key
    given inline (``master_key``); a path to a key file (``tls_key``) is only a location."""
    if isinstance(value, Path):
        return False
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) or lowered.endswith("key")


def render(settings: Settings) -> str:
    """The effective configuration as TOML (loadable by :func:`load`), secrets redacted."""
    lines = ["# credmint effective configuration (flag > environment > file > default)"]
    for name in _FIELDS:
        value = getattr(settings, name)
        if value is None:
            lines.append(f"# {name} is not set")
        elif is_secret(name, value):
            lines.append(f'{name} = "{REDACTED}"')
        else:
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _field_types() -> dict[str, object]:
    return typing.get_type_hints(Settings)


def _coerce(raw: object, hint: object, key: str) -> object:
    """``raw`` as the field's type, refused when TOML gave another type."""
    kinds = [t for t in _alternatives(hint) if t is not type(None)]
    for kind in kinds:
        origin = typing.get_origin(kind)
        if origin in (list, tuple, frozenset, set):
            if isinstance(raw, list):
                (item,) = {a for a in typing.get_args(kind) if a is not Ellipsis} or {str}
                return origin(_coerce(v, item, key) for v in raw)
            continue
        accepted = _ACCEPTS.get(kind) if isinstance(kind, type) else None
        if accepted is None:
            continue
        if isinstance(raw, accepted) and not (isinstance(raw, bool) and bool not in accepted):
            # The field's converter also checks the value (``log_format``'s choices, ...).
            return _FIELDS[key](raw)
    if any(isinstance(k, type) and k in _ACCEPTS for k in kinds) or any(typing.get_origin(k) for k in kinds):
        want = " or ".join(_describe(k) for k in kinds)
        raise TypeError(f"expected {want}, got {_toml_type(raw)} {raw!r}")
    # A field of a type this module does not know: its string form, converted as the
    # environment variable's is.
    if not isinstance(raw, str):
        raise TypeError(f"expected a string, got {_toml_type(raw)} {raw!r}")
    return _FIELDS[key](raw)


def _alternatives(hint: object) -> tuple[object, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


_TOML_NAMES: Mapping[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    Path: "a path (string)",
    list: "an array",
    dict: "a table",
}


def _describe(kind: object) -> str:
    origin = typing.get_origin(kind)
    if origin is not None:
        return "an array"
    return _TOML_NAMES.get(kind, str(kind)) if isinstance(kind, type) else str(kind)


def _toml_type(raw: object) -> str:
    for kind, name in _TOML_NAMES.items():
        if isinstance(raw, kind):
            return name
    return type(raw).__name__


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple | frozenset | set):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # JSON's string escapes are valid in TOML basic strings.
    return json.dumps(str(value))


__all__ = ["REDACTED", "ConfigError", "is_secret", "load", "render", "settings_from"]
