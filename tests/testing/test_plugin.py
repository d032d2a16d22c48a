"""The pytest plugin, run as users run it: a test file in a fresh pytest process."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

pytestmark = pytest.mark.e2e

SUITE = """
import pytest
from botocore.exceptions import ClientError

POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}

@pytest.mark.parametrize("n", range(4))
def test_fresh_account_each_time(credmint_account, n):
    # A fresh account: nothing another test made is visible here.
    assert credmint_account.client("iam").list_users()["Users"] == []
    user = credmint_account.create_user("alice", policies=[POLICY])
    assert user.client("sts").get_caller_identity()["Arn"] == user.arn
    user.client("s3").list_buckets()
    with pytest.raises(ClientError) as exc:  # a permission the user lacks
        user.client("s3").create_bucket(Bucket=f"b-{credmint_account.account_id}")
    assert exc.value.response["Error"]["Code"] == "AccessDenied"

def test_server_root(credmint_server):
    assert credmint_server.client("sts").get_caller_identity()["Account"] == credmint_server.account_id
"""


def test_fixtures_under_plain_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=5)


def test_fixtures_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=5)


def test_plugin_starts_and_imports_nothing_until_a_fixture_is_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_idle="""
import sys

def test_idle(request):
    assert request.config.pluginmanager.has_plugin("credmint")
    assert "credmint.testing.node" not in sys.modules
    assert "uvicorn" not in sys.modules
    assert "credmint.server.app" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=1)


def test_context_manager_for_non_pytest_users(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unittest="""
import unittest
import credmint.testing

class T(unittest.TestCase):
    def test_it(self):
        with credmint.testing.server() as srv:
            account = srv.new_account()
            self.assertEqual(account.client("sts").get_caller_identity()["Account"], account.account_id)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:credmint")
    result.assert_outcomes(passed=1)
