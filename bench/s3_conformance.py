"""Run Ceph's S3 conformance suite (s3-tests) against a real credmint, and optionally moto.

    .venv/bin/python bench/s3_conformance.py [--peer moto] [--floor N] [-k EXPR] [--junit DIR]

What it does, end to end:

1. makes (once, then reuses) a virtualenv holding the suite's own requirements from
   PyPI (``../shared/suites/ceph-s3-tests/requirements.txt`` without ``tox``), so the
   suite's pins never meet the project's;
2. starts ``credmint serve`` on a loopback port over a temporary data directory, after
   creating in that store one account per identity the suite's config names (``s3
   main``, ``s3 alt``, ``s3 tenant``, ``iam``, ``iam root``, ``iam alt root``), each with
   its root access key; the display name and canonical id the suite compares owners
   with are the account's;
3. writes the suite's config (``S3TEST_CONF``) for those identities and runs
   ``test_s3.py`` and ``test_headers.py`` with ``-m "not fails_on_aws"`` (the tests
   that pass against AWS) and ``-k "not kms"`` (SSE-KMS needs a KMS, which credmint
   has not);
4. with ``--peer moto``, does the same against ``moto_server`` (moto accepts any key,
   so the same config shape with made-up keys serves);
5. prints passed/total per area (an area is a family of tests named alike: listing,
   multipart, CORS, POST uploads...; ``AREAS`` below) and, with ``--floor N``, exits 1
   when credmint passes fewer than N tests of ``test_s3.py`` (CI's regression guard).

Buckets are made public by the suite's ACL and policy tests the way S3 allowed before
April 2023; the server runs with ``CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT=none`` so those
tests exercise ACLs and policies rather than the Block Public Access default (which has
its own tests in ``tests/s3/test_public_access.py``), and with
``CREDMINT_S3_OBJECT_OWNERSHIP_DEFAULT=ObjectWriter`` so buckets are created with ACLs
enabled, as S3 created them before April 2023 (``tests/s3/test_acl.py`` covers both).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = (ROOT / ".." / "shared" / "suites" / "ceph-s3-tests").resolve()
FILES = ("s3tests/functional/test_s3.py", "s3tests/functional/test_headers.py")
MARKERS = "not fails_on_aws"
KEYWORDS = "not kms"
REGION = "us-east-1"

#: (area, pattern on the test name without ``test_``): the first that matches names the area.
AREAS: tuple[tuple[str, str], ...] = (
    ("logging", r"bucket_logging|logging"),
    ("object lock", r"object_lock"),
    ("lifecycle", r"lifecycle"),
    ("versioning", r"versioning|versioned|delete_marker"),
    ("post upload", r"post_object|presigned_post"),
    ("cors", r"cors"),
    ("encryption", r"sse|encrypt|enc_"),
    ("checksum", r"checksum"),
    ("acl", r"acl|grant|object_ownership"),
    ("policy", r"policy|public|block_public"),
    ("tagging", r"tag"),
    ("multipart", r"multipart|list_multipart|upload_part"),
    ("copy", r"copy"),
    ("listing", r"list|prefix|delimiter|marker"),
    ("conditional", r"if_|_ifmatch|ifnonmatch|ifmodified|ifunmodified|conditional|atomic"),
    ("presigned", r"presign|expires|raw_"),
    ("headers", r"header|content_|date|expect|contentlength|authorization|ua_|amz_"),
    ("bucket", r"bucket"),
    ("object", r"object|obj|ranged|get_|put_|delete_|head_"),
)


def area_of(test: str) -> str:
    name = test.split("::")[-1].removeprefix("test_")
    for area, pattern in AREAS:
        if re.search(pattern, name):
            return area
    return "other"


@dataclass(frozen=True)
class Identity:
    section: str
    display_name: str
    email: str
    access_key: str
    secret_key: str
    user_id: str


SECTIONS = (
    ("s3 main", "M. Tester", "tester@example.com"),
    ("s3 alt", "john.doe", "john.doe@example.com"),
    ("s3 tenant", "testx$tenanteduser", "tenanteduser@example.com"),
    ("iam", "youruseridhere", "s3@example.com"),
    ("iam root", "iamroot", "account1@example.com"),
    ("iam alt root", "iamaltroot", "account2@example.com"),
)


# --- the suite's virtualenv -------------------------------------------------------------


def suite_python(venv: Path) -> Path:
    """The interpreter of a virtualenv holding the suite's requirements (made if missing
    or made from other requirements)."""
    wanted = [
        line.strip()
        for line in (SUITE / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#") and line.strip() != "tox"
    ]
    stamp = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    python = venv / "bin" / "python"
    mark = venv / ".s3-tests-requirements"
    if python.exists() and mark.exists() and mark.read_text() == stamp:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted], check=True)
    mark.write_text(stamp)
    return python


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def make_identities(data_dir: Path) -> list[Identity]:
    """One account per identity of the suite's config, created in the store the server
    will open (its master key is made here and found there)."""
    from sqlalchemy import select

    from credmint import accounts
    from credmint.server.factory import build_node
    from credmint.settings import Settings
    from credmint.store import migrate, schema

    node = build_node(Settings(data_dir=data_dir, region=REGION))
    migrate.upgrade(node.store)
    out = []
    for section, display_name, email in SECTIONS:
        creds = accounts.create_account(node.store, node.master, node.now(), name=display_name)
        with node.store.read() as conn:
            canonical = conn.execute(
                select(schema.accounts.c.canonical_user_id).where(schema.accounts.c.account_id == creds.account_id)
            ).scalar_one()
        out.append(Identity(section, display_name, email, creds.access_key_id, creds.secret_access_key, canonical))
    node.store.engine.dispose()
    return out


@contextmanager
def credmint_server() -> Iterator[tuple[str, list[Identity]]]:
    data = Path(tempfile.mkdtemp(prefix="credmint-s3-tests-"))
    try:
        identities = make_identities(data)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDMINT_")}
        env.update(
            CREDMINT_PORT=str(port),
            CREDMINT_DATA_DIR=str(data),
            CREDMINT_REGION=REGION,
            CREDMINT_PUBLIC_ACCESS_BLOCK_DEFAULT="none",
            # The suite creates buckets with ACLs (public-read...) as S3 allowed before April
            # 2023, when new buckets had ACLs enabled (ObjectWriter); credmint's default is
            # today's BucketOwnerEnforced, so the run asks for the earlier one.
            CREDMINT_S3_OBJECT_OWNERSHIP_DEFAULT="ObjectWriter",
            # The suite talks plain HTTP to a local endpoint; S3 (and credmint by default)
            # refuses SSE-C keys in the clear, so its SSE-C tests need this test setting.
            CREDMINT_SSE_C_ALLOW_HTTP="true",
            CREDMINT_ACCESS_LOG="false",
            CREDMINT_AUDIT_SINK="off",
        )
        log = (data / "server.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "credmint.cli.main", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_up(url + "/_credmint/health")
            yield url, identities
        finally:
            proc.terminate()
            proc.wait(10)
            log.close()
            tail = (data / "server.log").read_bytes()[-4000:].decode(errors="replace")
            if "Traceback" in tail:
                print("credmint server log (tail):\n" + tail, file=sys.stderr)
    finally:
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def moto_server() -> Iterator[tuple[str, list[Identity]]]:
    exe = shutil.which("moto_server")
    if exe is None:
        raise SystemExit("moto_server is not installed (pip install 'moto[server]')")
    port = free_port()
    proc = subprocess.Popen([exe, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    # moto takes any key; distinct keys still give distinct callers where moto tells them apart.
    identities = [
        Identity(s, d, e, f"AKIAMOTO{n:012d}", "x" * 40, hashlib.sha256(s.encode()).hexdigest())
        for n, (s, d, e) in enumerate(SECTIONS)
    ]
    try:
        wait_up(url + "/moto-api/")
        yield url, identities
    finally:
        proc.terminate()
        proc.wait(10)


# --- the suite ----------------------------------------------------------------------------


def write_config(path: Path, url: str, identities: list[Identity]) -> None:
    host, port = url.removeprefix("http://").split(":")
    lines = [
        "[DEFAULT]",
        f"host = {host}",
        f"port = {port}",
        "is_secure = False",
        "ssl_verify = False",
        "[fixtures]",
        "bucket prefix = s3t-{random}-",
        "iam name prefix = s3-tests-",
        "iam path prefix = /s3-tests/",
    ]
    for ident in identities:
        lines += [
            f"[{ident.section}]",
            f"display_name = {ident.display_name}",
            f"user_id = {ident.user_id}",
            f"email = {ident.email}",
            f"access_key = {ident.access_key}",
            f"secret_key = {ident.secret_key}",
        ]
        if ident.section == "s3 main":
            lines.append(f"api_name = {REGION}")
        if ident.section == "s3 tenant":
            lines.append("tenant = testx")
    path.write_text("\n".join(lines) + "\n")


def run_suite(
    python: Path, url: str, identities: list[Identity], keyword: str | None, junit: Path, only: list[str] | None = None
) -> None:
    conf = junit.with_suffix(".conf")
    write_config(conf, url, identities)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CREDMINT_"))}
    env.update(
        S3TEST_CONF=str(conf),
        PYTHONPATH=str(Path(__file__).resolve().parent / "s3_conformance_plugin"),
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    k = KEYWORDS if keyword is None else f"({KEYWORDS}) and ({keyword})"
    cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "s3tests_cleanup", "-m", MARKERS, "-k", k]
    cmd += ["--junitxml", str(junit), "-o", "junit_family=xunit1", "--tb=short", "-rN", *(only or FILES)]
    with junit.with_suffix(".log").open("wb") as log:
        subprocess.run(cmd, cwd=SUITE, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)


@dataclass
class Outcome:
    passed: dict[str, bool]  # "file::test" -> passed

    def counts(self, file: str) -> tuple[Counter[str], Counter[str]]:
        ok: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for name, good in self.passed.items():
            if name.startswith(file):
                area = area_of(name)
                total[area] += 1
                ok[area] += good
        return ok, total


def read_junit(path: Path) -> Outcome:
    passed: dict[str, bool] = {}
    if not path.exists():
        return Outcome(passed)
    for case in ET.parse(path).getroot().iter("testcase"):
        file = case.get("file") or case.get("classname", "").replace(".", "/") + ".py"
        name = f"{Path(file).name}::{case.get('name')}"
        bad = any(child.tag in ("failure", "error", "skipped") for child in case)
        passed[name] = not bad
    return Outcome(passed)


def report(results: dict[str, Outcome]) -> None:
    names = list(results)
    for file in ("test_s3.py", "test_headers.py"):
        per = {n: results[n].counts(file) for n in names}
        areas = sorted({a for ok, total in per.values() for a in total})
        print(f"\n{file}: passed / run, per area")
        print(f"{'area':<14}" + "".join(f"{n:>18}" for n in names))
        for area in areas:
            cells = "".join(f"{per[n][0][area]:>10} / {per[n][1][area]:<5}" for n in names)
            print(f"{area:<14}{cells}")
        cells = "".join(f"{sum(per[n][0].values()):>10} / {sum(per[n][1].values()):<5}" for n in names)
        print(f"{'total':<14}{cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", choices=("moto",), action="append", default=[], help="also run against this peer")
    parser.add_argument("--floor", type=int, default=None, help="exit 1 if credmint passes fewer test_s3.py tests")
    parser.add_argument("-k", dest="keyword", default=None, help="only tests matching this pytest -k expression")
    parser.add_argument("--venv", type=Path, default=ROOT / ".s3-tests-venv", help="the suite's virtualenv")
    parser.add_argument("--junit", type=Path, default=None, help="keep the JUnit XML results in this directory")
    parser.add_argument("--list-failures", action="store_true", help="print the names of credmint's failures")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: report the results kept in --junit by earlier runs (e.g. one per target)",
    )
    parser.add_argument("--no-credmint", action="store_true", help="run only the --peer servers")
    parser.add_argument(
        "--only", type=Path, default=None, help="a file of test node ids (one a line) to run instead of the files"
    )
    args = parser.parse_args()
    if not (SUITE / "requirements.txt").exists():
        raise SystemExit(f"the suite is not at {SUITE}")
    out = args.junit or Path(tempfile.mkdtemp(prefix="s3-tests-results-"))
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Outcome] = {}
    servers = {"credmint": credmint_server, "moto": moto_server}
    targets = [*([] if args.no_credmint else ["credmint"]), *args.peer]
    if args.report_only:
        targets = [name for name in servers if any(out.glob(f"{name}*.xml"))]
    else:
        python = suite_python(args.venv)
        for name in targets:
            started = time.monotonic()
            with servers[name]() as (url, identities):
                only = args.only.read_text().split() if args.only is not None else None
                run_suite(python, url, identities, args.keyword, out / f"{name}.xml", only)
            took = time.monotonic() - started
            print(f"{name}: {len(read_junit(out / f'{name}.xml').passed)} tests in {took:.0f} s", file=sys.stderr)
    for name in targets:
        # Results of one target run in parts (``--only``) are kept as <name>*.xml: their union.
        merged: dict[str, bool] = {}
        for part in sorted(out.glob(f"{name}*.xml")):
            for test, good in read_junit(part).passed.items():
                merged.setdefault(test, good)
        results[name] = Outcome(merged)
    report(results)
    if args.list_failures and "credmint" in results:
        print("\ncredmint failures:")
        for test, good in sorted(results["credmint"].passed.items()):
            if not good:
                print(f"  {test}")
    if args.junit is None:
        shutil.rmtree(out, ignore_errors=True)
    if args.floor is not None and "credmint" in results:
        got = sum(results["credmint"].counts("test_s3.py")[0].values())
        if got < args.floor:
            print(f"credmint passes {got} tests of test_s3.py, fewer than the floor of {args.floor}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
