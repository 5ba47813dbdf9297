"""LoginThrottle: password guessing at the login form gets slower with every miss.

Failures are counted per client address and per account. Past a few free misses, the
address (or, for the account, every address that has missed recently) must wait before its
next attempt is even looked at: one base delay, then twice as long with each further miss,
up to a ceiling. The login page answers such an early attempt with 429 and ``Retry-After``
without checking the password, so waiting is the only way to guess again.

An address with no recent misses is never made to wait, whatever happens elsewhere: the
owner logging in from their own machine is not slowed by someone guessing from another.
A successful login clears the counts of its address and account.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from traitlets import Bool, Float, Int
from traitlets.config import LoggingConfigurable

__all__ = ["LoginThrottle"]

#: Records kept at most per kind (addresses, accounts); the oldest are dropped beyond it.
_MAX_RECORDS = 10_000


@dataclass
class _Misses:
    count: int = 0
    last: float = 0.0
    wait_until: float = 0.0


class LoginThrottle(LoggingConfigurable):
    """Counts failed logins and says how long a client must wait before its next try.

    The login handler asks :meth:`retry_after` before checking a password, then reports
    the outcome with :meth:`failed` or :meth:`succeeded`. Addresses and accounts are plain
    strings: the client's IP address, and the account the form logs into ("" for the
    server's single password or token).
    """

    enabled = Bool(
        True,
        help="Slow down repeated failed logins at the login form (per client address and per account).",
    ).tag(config=True)

    free_failures_per_address = Int(
        5,
        help="Failed logins one client address may make in a row before it has to wait between attempts.",
    ).tag(config=True)

    free_failures_per_account = Int(
        20,
        help="""Failed logins on one account, from all addresses together, before every address
        that has failed recently has to wait too. Addresses without recent failures may still
        log in at once.""",
    ).tag(config=True)

    base_delay = Float(
        1.0,
        help="Seconds to wait after the first failure beyond the free ones; each further failure doubles it.",
    ).tag(config=True)

    max_delay = Float(
        300.0,
        help="The longest wait, in seconds, however many failures there were.",
    ).tag(config=True)

    forget_after = Float(
        3600.0,
        help="Seconds without a failure after which an address or account starts afresh.",
    ).tag(config=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._addresses: dict[str, _Misses] = {}
        self._accounts: dict[str, _Misses] = {}

    def _current(self, table: dict[str, _Misses], key: str, now: float) -> _Misses | None:
        record = table.get(key)
        if record is not None and now - record.last > self.forget_after:
            del table[key]
            return None
        return record

    def retry_after(self, address: str, account: str = "") -> float:
        """Seconds ``address`` must still wait before an attempt on ``account``; 0 when it may try."""
        if not self.enabled:
            return 0.0
        now = time.monotonic()
        by_address = self._current(self._addresses, address, now)
        if by_address is None:
            return 0.0  # no recent misses from here: never slowed
        wait = by_address.wait_until - now
        by_account = self._current(self._accounts, account, now)
        if by_account is not None:
            wait = max(wait, by_account.wait_until - now)
        return max(wait, 0.0)

    def failed(self, address: str, account: str = "") -> float:
        """Count a failed login; return how long ``address`` must now wait (0 while free)."""
        if not self.enabled:
            return 0.0
        now = time.monotonic()
        self._miss(self._addresses, address, self.free_failures_per_address, now)
        self._miss(self._accounts, account, self.free_failures_per_account, now)
        return self.retry_after(address, account)

    def succeeded(self, address: str, account: str = "") -> None:
        """A login succeeded: ``address`` and ``account`` start afresh."""
        self._addresses.pop(address, None)
        self._accounts.pop(account, None)

    def _miss(self, table: dict[str, _Misses], key: str, free: int, now: float) -> None:
        record = self._current(table, key, now)
        if record is None:
            if len(table) >= _MAX_RECORDS:
                del table[min(table, key=lambda k: table[k].last)]
            record = table[key] = _Misses()
        record.count += 1
        record.last = now
        beyond = record.count - max(free, 0)
        if beyond > 0:
            # 2 ** beyond overflows floats long after max_delay caps it; stop doubling early.
            delay = min(self.base_delay * math.pow(2, min(beyond - 1, 64)), self.max_delay)
            record.wait_until = max(record.wait_until, now + delay)
