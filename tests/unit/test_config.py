"""The TOML configuration file: precedence, typing, refusals, and ``config show``."""

from __future__ import annotations

import os
import typing
from pathlib import Path

import pytest

from credmint import config
from credmint.cli.main import main
from credmint.settings import _FIELDS, Settings


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "credmint.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize(
    "file_port,env_port,flag_port,expected",
    [
        (None, None, None, 8400),  # default
        (9001, None, None, 9001),  # file over default
        (9001, "9002", None, 9002),  # environment over file
        (9001, "9002", 9003, 9003),  # flag over environment
        (None, None, 9003, 9003),
    ],
)
def test_precedence(
    tmp_path: Path, file_port: int | None, env_port: str | None, flag_port: int | None, expected: int
) -> None:
    path = _write(tmp_path, f"port = {file_port}\n" if file_port is not None else "")
    env = {"CREDMINT_PORT": env_port} if env_port is not None else {}
    settings = config.settings_from(path, env, port=flag_port)
    assert settings.port == expected


def test_typed_values_from_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'host = "0.0.0.0"\nport = 8443\ndata_dir = "/var/lib/credmint"\ntls_self_signed = true\n'
        'log_format = "json"\nmetrics = false\n',
    )
    s = config.settings_from(path, {})
    assert (s.host, s.port, s.data_dir, s.tls_self_signed, s.log_format, s.metrics) == (
        "0.0.0.0",
        8443,
        Path("/var/lib/credmint"),
        True,
        "json",
        False,
    )


def test_every_setting_is_accepted_by_the_file(tmp_path: Path) -> None:
    """A field added to ``_FIELDS`` is configurable with no edit to the config module."""
    hints = typing.get_type_hints(Settings)
    assert set(_FIELDS) <= set(hints)
    shown = config.render(Settings(master_key="m", root_secret_access_key="s"))
    # Unset fields are commented out; secrets rendered as "<redacted>" are still strings.
    path = _write(tmp_path, shown)
    loaded = config.load(path)
    unset = {name for name in _FIELDS if getattr(Settings(), name) is None} - {"master_key", "root_secret_access_key"}
    assert set(loaded) == set(_FIELDS) - unset


def test_show_round_trips(tmp_path: Path) -> None:
    s = Settings(host="::1", port=1234, workers=3, tls_cert=Path("/etc/c.pem"), log_format="json", metrics=False)
    path = _write(tmp_path, config.render(s))
    assert config.settings_from(path, {}) == s


@pytest.mark.parametrize(
    "text,needle",
    [
        ("nope = 1\n", "unknown setting 'nope'"),
        ("[tls]\ncert = 'x'\n", "unknown setting 'tls'"),
        ('port = "8400"\n', "setting 'port': expected an integer, got a string"),
        ("port = true\n", "setting 'port': expected an integer, got a boolean"),
        ("port = 1.5\n", "setting 'port': expected an integer, got a float"),
        ("tls_self_signed = 1\n", "setting 'tls_self_signed': expected a boolean"),
        ('tls_self_signed = "maybe"\n', "setting 'tls_self_signed': expected a boolean"),
        ("host = [1, 2]\n", "setting 'host': expected a string, got an array"),
        ("data_dir = 3\n", "setting 'data_dir': expected a path (string)"),
        ('log_format = "xml"\n', "setting 'log_format': log format must be plain or json"),
        ("port = \n", "not valid TOML"),
        ("port = 1\nport = 2\n", "not valid TOML"),
        (b"\xff\xfe\x00garbage", "not valid TOML"),
    ],
)
def test_refused_with_file_and_key(tmp_path: Path, text: str | bytes, needle: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(config.ConfigError) as info:
        config.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert needle in message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.load(tmp_path / "absent.toml")


def test_bad_environment_names_the_variable() -> None:
    with pytest.raises(config.ConfigError, match="CREDMINT_PORT"):
        config.settings_from(None, {"CREDMINT_PORT": "eighty"})


@pytest.mark.parametrize(
    "name,value,secret",
    [
        ("master_key", "k", True),
        ("root_secret_access_key", "s", True),
        ("smtp_password", "p", True),
        ("webhook_token", "t", True),
        ("signing_key", "k", True),
        ("tls_key", Path("/etc/credmint/key.pem"), False),  # a location, not key material
        ("root_access_key_id", "AKIAEXAMPLE", False),
        ("host", "h", False),
    ],
)
def test_is_secret(name: str, value: object, secret: bool) -> None:
    assert config.is_secret(name, value) is secret


def test_config_show_cli_redacts_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    master, secret = "bWFzdGVyLWtleS1tYXRlcmlhbA-unique", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY-unique"
    path = _write(tmp_path, f'master_key = "{master}"\nport = 9999\n')
    for name in list(os.environ):
        if name.startswith("CREDMINT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CREDMINT_ROOT_SECRET_ACCESS_KEY", secret)
    assert main(["config", "show", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert master not in out
    assert secret not in out
    assert 'master_key = "<redacted>"' in out
    assert 'root_secret_access_key = "<redacted>"' in out
    assert "port = 9999" in out


def test_config_env_variable_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "bogus = 1\n")
    monkeypatch.setenv("CREDMINT_CONFIG", str(path))
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "bogus" in err
