"""Password guessing at the login form, over real HTTP from several client addresses.

Each request leaves from its own loopback address (127.0.0.x, bound on the client side),
so the server sees distinct clients without trusting any forwarded header. The delays are
set long (a minute) so that no wait can run out while a test runs: nothing here depends on
timing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from jupyter_server_core.auth import LoginThrottle, passwd

from .test_auth import NO_AUTH, cookie_header, cookies_of

PASSWORD = "correct horse"
ATTACKER = "127.0.0.2"
OWNER = "127.0.0.3"


async def login(jp_fetch: Any, password: str, address: str):
    """GET the form, then POST ``password``, both from ``address``."""
    form = await jp_fetch("login", headers=NO_AUTH, network_interface=address)
    cookies = cookies_of(form)
    return await jp_fetch(
        "login", method="POST", raise_error=False, network_interface=address,
        body=urlencode({"password": password, "_xsrf": cookies["_xsrf"]}),
        headers={"Authorization": None, "Cookie": cookie_header(cookies)},
    )


class TestThrottledLogins:
    @pytest.fixture
    def jp_token(self) -> str:
        return ""  # only the password logs in

    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {
            "PasswordIdentityProvider": {"hashed_password": passwd(PASSWORD, "sha256")},
            "LoginThrottle": {"free_failures_per_address": 3, "free_failures_per_account": 6,
                              "base_delay": 60.0, "max_delay": 600.0},
        }

    async def test_a_burst_is_throttled_while_the_owner_logs_in(self, jp_fetch, caplog):
        codes = [(await login(jp_fetch, f"guess-{n}", ATTACKER)).code for n in range(6)]
        # Three free misses, the fourth sets a wait, and from then on nothing is checked.
        assert codes == [401, 401, 401, 401, 429, 429]
        refused = await login(jp_fetch, PASSWORD, ATTACKER)  # even the right password must wait
        assert refused.code == 429
        assert 60 <= int(refused.headers["Retry-After"]) <= 600
        assert b"try again" in refused.body

        owner = await login(jp_fetch, PASSWORD, OWNER)  # another address: not slowed at all
        assert owner.code == 302
        session = {"Authorization": None, "Cookie": cookie_header(cookies_of(owner))}
        assert (await jp_fetch("api", "status", headers=session)).code == 200

        assert ATTACKER in caplog.text and "Failed login" in caplog.text
        assert "guess-" not in caplog.text and PASSWORD not in caplog.text  # never a password

    async def test_the_account_is_throttled_for_addresses_that_failed(self, jp_fetch):
        # Misses spread over addresses stay under the per-address limit but add up per account.
        spread = [f"127.0.0.{n}" for n in range(10, 17)]
        for address in spread:
            assert (await login(jp_fetch, "guess", address)).code == 401
        assert (await login(jp_fetch, "guess", spread[0])).code == 429
        assert (await login(jp_fetch, PASSWORD, spread[1])).code == 429
        # An address with no misses is never made to wait: the owner gets in, and that
        # success gives the account a fresh start.
        assert (await login(jp_fetch, PASSWORD, OWNER)).code == 302

    async def test_a_success_clears_the_count(self, jp_fetch):
        for _ in range(2):
            assert (await login(jp_fetch, "guess", ATTACKER)).code == 401
        assert (await login(jp_fetch, PASSWORD, ATTACKER)).code == 302
        for _ in range(3):  # three free misses again, not one
            assert (await login(jp_fetch, "guess", ATTACKER)).code == 401


class TestThrottleOff:
    @pytest.fixture
    def jp_token(self) -> str:
        return ""

    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {
            "PasswordIdentityProvider": {"hashed_password": passwd(PASSWORD, "sha256")},
            "LoginThrottle": {"enabled": False, "free_failures_per_address": 1, "base_delay": 60.0},
        }

    async def test_no_waiting(self, jp_fetch):
        for _ in range(4):
            assert (await login(jp_fetch, "guess", ATTACKER)).code == 401
        assert (await login(jp_fetch, PASSWORD, ATTACKER)).code == 302


def test_delays_double_up_to_the_ceiling():
    throttle = LoginThrottle(free_failures_per_address=2, free_failures_per_account=100,
                             base_delay=10.0, max_delay=45.0)
    waits = [round(throttle.failed("10.0.0.1")) for _ in range(6)]
    assert waits == [0, 0, 10, 20, 40, 45]
    assert throttle.retry_after("10.0.0.2") == 0  # another address
    throttle.succeeded("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 0


def test_a_huge_failure_count_stays_at_the_ceiling():
    throttle = LoginThrottle(free_failures_per_address=0, base_delay=1.0, max_delay=300.0)
    for _ in range(2000):
        wait = throttle.failed("10.0.0.1")
    assert round(wait) == 300
