"""A warm kernel pool: pre-started kernels per kernelspec, handed out on request.

``c.KernelPool.sizes = {"python3": 2}`` keeps two python3 kernels started and answering
in the server's root directory. A start request for that kernelspec takes one (its id
becomes the kernel's id) and the pool starts a replacement in the background.

A pooled kernel is used only when it can be exactly what was asked for:

- no kernel id imposed; for a parameterized kernelspec (JEP 87), the pool's kernels run
  with its defaults and serve requests whose values come to the same argv and env;
- the working directory and environment match the pool's; or, for kernels whose
  language is Python (``relocate_python``), the kernel moves there before it is handed
  out: it changes directory and sets the requested variables (silently, no history).

Otherwise the request starts a kernel as without a pool. Pooled kernels live outside the
manager's kernel table: they are not listed, culled or counted until handed out. The
manager's ``shutdown_all`` stops them.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from traitlets import Bool, Dict, Float, Int
from traitlets.config import LoggingConfigurable

from ._parameters import owned_configurable

__all__ = ["KernelPool", "PooledLaunch"]


class KernelPool(LoggingConfigurable):
    """The pool's settings and its kernels (owned by the MappingKernelManager)."""

    sizes = Dict(
        value_trait=Int(), default_value={},
        help="""Warm kernels to keep per kernelspec name, e.g. {"python3": 2}. A start request for
        one of these kernelspecs takes a kernel that already runs; the pool then refills.""",
    ).tag(config=True)
    relocate_python = Bool(
        True,
        help="""Hand out a pooled Python kernel for any working directory and environment: it
        changes to the requested directory and sets the requested variables first. Off,
        pooled kernels serve only requests for the root directory without extra variables.""",
    ).tag(config=True)
    refill_delay = Float(
        1.0,
        help="""Seconds between handing a pooled kernel out and starting its replacement, so that
        launching the new process does not slow down the first messages of the kernel just
        handed out (on a small machine both compete for the CPU).""",
    ).tag(config=True)
    ready_timeout = Float(
        60, help="Seconds a pooled kernel may take to answer kernel_info before it is dropped."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: kernelspec name -> warm KernelManagers (ready, answering)
        self.warm: dict[str, list[Any]] = {}
        self.filling: dict[str, asyncio.Task[None]] = {}
        self.stopped = False

    def take(self, kernel_name: str) -> Any | None:
        kernels = self.warm.get(kernel_name)
        return kernels.pop(0) if kernels else None

    def all_kernels(self) -> list[Any]:
        return [km for kernels in self.warm.values() for km in kernels]


async def _wait_ready(km: Any, timeout: float) -> None:
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
    finally:
        client.stop_channels()


async def _relocate(km: Any, cwd: str, env: dict[str, str], timeout: float) -> bool:
    """Move a Python kernel to ``cwd`` with ``env`` set; True if it answered ok."""
    lines = ["import os as _pool_os", f"_pool_os.chdir({cwd!r})", f"_pool_os.environ.update({env!r})"]
    if "JPY_SESSION_NAME" in env:
        lines.append(f"__session__ = {env['JPY_SESSION_NAME']!r}")
    lines.append("del _pool_os")
    client = km.client()
    client.start_channels()
    try:
        msg_id = client.execute("\n".join(lines), silent=True, store_history=False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            reply = await client.get_shell_msg(timeout=max(0.1, deadline - loop.time()))
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return bool(reply["content"].get("status") == "ok")
    except Exception:  # noqa: BLE001 - a kernel that cannot move is not handed out
        return False
    finally:
        client.stop_channels()


class PooledLaunch:
    """MappingKernelManager's side of the pool (a base class placed before jupyter_client's).

    Its ``start_kernel`` sits between MappingKernelManager.start_kernel and
    AsyncMultiKernelManager.start_kernel: it adopts a pooled kernel when one fits, else
    starts one as usual. :meth:`start_pool` fills the pool (the services loader calls it
    once the event loop runs); :meth:`stop_pool` shuts the pooled kernels down.
    """

    log: Any
    config: Any
    root_dir: str
    _kernels: dict[str, Any]

    @property
    def kernel_pool(self) -> KernelPool:
        return owned_configurable(self, KernelPool)

    def start_pool(self) -> None:
        """Start filling every configured pool in the background."""
        for name in self.kernel_pool.sizes:
            self._refill(name)

    def _refill_later(self, kernel_name: str) -> None:
        delay = self.kernel_pool.refill_delay
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._refill, kernel_name)
        else:
            self._refill(kernel_name)

    def _refill(self, kernel_name: str) -> None:
        pool = self.kernel_pool
        if pool.stopped or kernel_name in pool.filling:
            return
        task = asyncio.ensure_future(self._fill(kernel_name))
        pool.filling[kernel_name] = task
        task.add_done_callback(lambda _: pool.filling.pop(kernel_name, None))

    async def _fill(self, kernel_name: str) -> None:
        pool = self.kernel_pool
        failures = 0
        while not pool.stopped and len(pool.warm.get(kernel_name, [])) < pool.sizes.get(kernel_name, 0):
            km = None
            launch: dict[str, Any] = {}
            try:
                # A parameterized kernelspec's pooled kernels run with its defaults.
                await self.prepare_parameters(kernel_name, launch)  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - no such kernelspec, a parameter without default...
                self.log.warning("The pool cannot pre-start %s kernels: %s", kernel_name, exc)
                return
            try:
                km, _, _ = self.pre_start_kernel(kernel_name, launch)  # type: ignore[attr-defined]
                await km.start_kernel(cwd=self.root_dir)
                await _wait_ready(km, pool.ready_timeout)
            except asyncio.CancelledError:
                if km is not None:
                    await asyncio.shield(_stop(km))
                raise
            except Exception as exc:  # noqa: BLE001 - a pool that cannot fill leaves requests to start kernels
                failures += 1
                self.log.warning("Could not pre-start a %s kernel for the pool: %s", kernel_name, exc)
                if km is not None:
                    await _stop(km)
                if failures >= 3:
                    return
                continue
            if pool.stopped:
                await _stop(km)
                return
            pool.warm.setdefault(kernel_name, []).append(km)
            self.log.debug("Kernel pool %s: %d warm", kernel_name, len(pool.warm[kernel_name]))

    async def start_kernel(self, *, kernel_name: str | None = None, **kwargs: Any) -> str:
        name = kernel_name or self.default_kernel_name  # type: ignore[attr-defined]
        km = await self._pooled_kernel(name, kwargs)
        if km is None:
            return str(await super().start_kernel(kernel_name=kernel_name, **kwargs))  # type: ignore[misc]
        self._kernels[km.kernel_id] = km
        self.log.info("Kernel %s (%s) taken from the warm pool", km.kernel_id, name)
        return str(km.kernel_id)

    async def _pooled_kernel(self, name: str, kwargs: dict[str, Any]) -> Any | None:
        pool = self.kernel_pool
        if name not in pool.sizes or {"kernel_id", "transport_encryption"} & set(kwargs):
            return None
        filled = kwargs.get("_filled_kernel_spec")  # JEP 87 values: only the defaults match
        cwd = kwargs.get("cwd") or self.root_dir
        env = {k: v for k, v in (kwargs.get("env") or {}).items() if os.environ.get(k) != v}
        while (km := pool.take(name)) is not None:
            self._refill_later(name)
            if not await km.is_alive():
                await _stop(km)
                continue
            if not _same_launch(km.kernel_spec, filled):
                pool.warm.setdefault(name, []).insert(0, km)  # other values: start one as usual
                return None
            if _same_directory(cwd, self.root_dir) and not env:
                return km
            language = (km.kernel_spec.language or "").lower() if km.kernel_spec is not None else ""
            if not (pool.relocate_python and language == "python"):
                # It cannot be what was asked for: back in the pool, start one as usual.
                pool.warm.setdefault(name, []).insert(0, km)
                return None
            if await _relocate(km, cwd, env, pool.ready_timeout):
                return km
            self.log.warning("A pooled %s kernel could not move to %s; starting a fresh one", name, cwd)
            await _stop(km)  # it may have moved half-way: never reused
            return None
        return None

    async def stop_pool(self) -> None:
        """Stop filling and shut every pooled kernel down."""
        pool = self.kernel_pool
        pool.stopped = True
        for task in list(pool.filling.values()):
            task.cancel()
        kernels = pool.all_kernels()
        pool.warm.clear()
        await asyncio.gather(*(_stop(km) for km in kernels), return_exceptions=True)


def _same_launch(pooled: Any, filled: Any) -> bool:
    """Whether a pooled kernel was launched as the request's kernelspec would be.

    ``filled`` is the kernelspec with the request's parameter values, or None when its
    kernelspec declares no parameters (then any pooled kernel of that name fits).
    """
    if filled is None:
        return True
    return pooled is not None and list(pooled.argv) == list(filled.argv) and dict(pooled.env or {}) == dict(filled.env or {})


def _same_directory(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


async def _stop(km: Any) -> None:
    try:
        await km.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - best effort: the process may be gone already
        pass
