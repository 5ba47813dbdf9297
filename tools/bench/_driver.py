"""The measurements, run inside our full environment (it has tornado) by run.py."""

from __future__ import annotations

import asyncio
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _fixtures import make_fixtures  # noqa: E402
from _kernelclient import KernelClient, start_kernel, stop_kernel  # noqa: E402
from _servers import TOKEN, Server  # noqa: E402
from _slow_reader import bench_slow_reader  # noqa: E402
from _throttle import ThrottledLink  # noqa: E402
from tornado.httpclient import AsyncHTTPClient, HTTPRequest  # noqa: E402

HEADERS = {"Authorization": f"token {TOKEN}"}
Result = dict[str, float]
Bench = Callable[[Server, Path], Awaitable[Result]]


async def fetch(server: Server, path: str, method: str = "GET", body: Any = None) -> Any:
    client = AsyncHTTPClient()
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    r = await client.fetch(HTTPRequest(server.url + path, method=method, body=body, headers=HEADERS,
                                       request_timeout=600, allow_nonstandard_methods=True))
    return r


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- benchmarks: each returns {figure: value}; lower is better unless the name ends in /s --


async def _notebook_round_trips(server: Server, fixtures: Path, times: int) -> None:
    body = json.dumps({"type": "notebook", "format": "json",
                       "content": json.loads((fixtures / "big.ipynb").read_text())})
    for _ in range(times):
        await fetch(server, f"/api/contents/memory-{server.label}.ipynb", method="PUT", body=body)
        await fetch(server, f"/api/contents/memory-{server.label}.ipynb")


async def bench_memory(server: Server, fixtures: Path) -> Result:
    await asyncio.sleep(1.0)
    idle = server.rss()
    kernels = [await start_kernel(server) for _ in range(10)]
    await asyncio.sleep(1.0)
    loaded = server.rss()
    for kid in kernels:
        await stop_kernel(server, kid)
    # The figure: a 21 MB notebook saved and loaded 3 times, then 10 kernels.
    await _notebook_round_trips(server, fixtures, 3)
    await asyncio.sleep(2.0)
    after_notebooks = server.rss()
    kernels = [await start_kernel(server) for _ in range(10)]
    await asyncio.sleep(1.0)
    after_both = server.rss()
    for kid in kernels:
        await stop_kernel(server, kid)
    return {"idle RSS MB": idle / 2**20, "RSS after 10 kernels MB": loaded / 2**20,
            "RSS after 21 MB notebook PUT+GET x3 MB": after_notebooks / 2**20,
            "RSS after 21 MB notebook x3 and 10 kernels MB": after_both / 2**20}


async def _latency(server: Server, path: str, n: int = 200) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        await fetch(server, path)
        times.append(time.perf_counter() - t)
    return times


async def _throughput(server: Server, path: str, clients: int = 32, total: int = 640) -> float:
    AsyncHTTPClient.configure(None, max_clients=clients)
    started = time.perf_counter()
    queue = list(range(total))

    async def worker() -> None:
        while queue:
            queue.pop()
            await fetch(server, path)

    await asyncio.gather(*(worker() for _ in range(clients)))
    return total / (time.perf_counter() - started)


async def bench_rest(server: Server, fixtures: Path) -> Result:
    status = await _latency(server, "/api/status")
    contents = await _latency(server, "/api/contents/listing52", n=100)
    return {
        "/api/status p50 ms": 1000 * statistics.median(status),
        "/api/status p99 ms": 1000 * percentile(status, 0.99),
        "/api/contents listing p50 ms": 1000 * statistics.median(contents),
        "/api/contents listing p99 ms": 1000 * percentile(contents, 0.99),
        "/api/contents 32 clients req/s": await _throughput(server, "/api/contents/listing52"),
    }


async def bench_big_listing(server: Server, fixtures: Path) -> Result:
    t = time.perf_counter()
    r = await fetch(server, "/api/contents/files10000")
    elapsed = time.perf_counter() - t
    assert len(json.loads(r.body)["content"]) == 10000
    return {"10,000-file listing s": elapsed}


async def bench_big_notebook(server: Server, fixtures: Path) -> Result:
    model = json.loads((fixtures / "big.ipynb").read_text())
    body = json.dumps({"type": "notebook", "format": "json", "content": model})
    path = f"/api/contents/saved-{server.label}.ipynb"
    t = time.perf_counter()
    await fetch(server, path, method="PUT", body=body)
    first = time.perf_counter() - t
    t = time.perf_counter()
    await fetch(server, path, method="PUT", body=body)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    await fetch(server, path)
    loaded = time.perf_counter() - t
    return {"21 MB notebook save, first after start s": first, "21 MB notebook save, warm s": warm,
            "21 MB notebook load s": loaded}


async def _crowd(server: Server, paths: list[str], clients: int, per_client: int) -> tuple[list[float], int]:
    """``clients`` clients at once, each sending ``per_client`` GETs in turn over ``paths``."""
    http = AsyncHTTPClient(force_instance=True, max_clients=clients)
    times: list[float] = []
    errors = 0

    async def one_client(n: int) -> None:
        nonlocal errors
        for i in range(per_client):
            request = HTTPRequest(server.url + paths[(n + i) % len(paths)], headers=HEADERS,
                                  request_timeout=120, connect_timeout=120)
            t = time.perf_counter()
            try:
                r = await http.fetch(request, raise_error=False)
                if r.code != 200:
                    errors += 1
            except Exception:  # noqa: BLE001 - a refused or dropped connection is an error to count
                errors += 1
            times.append(time.perf_counter() - t)

    try:
        await asyncio.gather(*(one_client(n) for n in range(clients)))
    finally:
        http.close()
    return times, errors


async def bench_crowd(server: Server, fixtures: Path) -> Result:
    """200 clients at once on ``/api/contents`` (the 52-entry folder) and ``/api/status``."""
    times, errors = await _crowd(server, ["/api/contents/listing52", "/api/status"], 200, 5)
    return {"200 clients p50 ms": 1000 * statistics.median(times),
            "200 clients p99 ms": 1000 * percentile(times, 0.99),
            "200 clients errors": float(errors)}


LINK_BITS_PER_SECOND = 100e6


async def _through_link(link_port: int, path: str, headers: dict[str, str] | None = None) -> tuple[Any, bytes]:
    """A GET as a browser sends it (``Accept-Encoding: gzip``), via the link: the answer and
    its decoded body. The body is decoded in one call, as a browser's native code does
    (tornado's streaming decoder costs more than the transfer here)."""
    request = HTTPRequest(f"http://127.0.0.1:{link_port}{path}",
                          headers={**HEADERS, "Accept-Encoding": "gzip", **(headers or {})},
                          request_timeout=600, decompress_response=False)
    r = await AsyncHTTPClient().fetch(request, raise_error=False)
    body = r.body or b""
    if r.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return r, body


async def bench_slow_link(server: Server, fixtures: Path) -> Result:
    """The 21 MB notebook opened through a 100 Mbit/s link: time and bytes on the wire.

    Both servers first open it once directly, so that one-time costs stay out (our server
    imports nbformat at the first notebook request, the reference at start; the first big
    model grows the heap): the timed open is a user opening it again, over the link."""
    await fetch(server, "/api/contents/big.ipynb")
    link = ThrottledLink(server.port, LINK_BITS_PER_SECOND)
    port = await link.start()
    try:
        t = time.perf_counter()
        r, body = await _through_link(port, "/api/contents/big.ipynb")
        elapsed = time.perf_counter() - t
        assert r.code == 200 and len(json.loads(body)["content"]["cells"]) == 2000
        return {"21 MB notebook load over 100 Mbit/s s": elapsed,
                "21 MB notebook load over 100 Mbit/s, MB on the wire": link.bytes_down / 1e6}
    finally:
        await link.stop()


async def bench_polling(server: Server, fixtures: Path) -> Result:
    """The 10,000-file folder polled 100 times through the link, as a file browser does
    (plain GETs), and by a client that revalidates (If-None-Match with the last ETag)."""
    polls = 100
    link = ThrottledLink(server.port, LINK_BITS_PER_SECOND)
    port = await link.start()
    path = "/api/contents/files10000"
    try:
        t = time.perf_counter()
        for _ in range(polls):
            r, body = await _through_link(port, path)
            assert r.code == 200 and body
        plain_s, plain_bytes = time.perf_counter() - t, link.bytes_down / polls
        etag = r.headers["Etag"]
        before = link.bytes_down
        t = time.perf_counter()
        for _ in range(polls):
            r, _ = await _through_link(port, path, {"If-None-Match": etag})
            assert r.code == 304, r.code
        revalidated_s, revalidated_bytes = time.perf_counter() - t, (link.bytes_down - before) / polls
    finally:
        await link.stop()
    return {
        "10,000-file folder, 100 polls s": plain_s,
        "10,000-file folder, kB on the wire per poll": plain_bytes / 1e3,
        "10,000-file folder, 100 revalidated polls s": revalidated_s,
        "10,000-file folder, kB on the wire per revalidated poll": revalidated_bytes / 1e3,
        "revalidated poll bytes, % of a plain poll": 100 * revalidated_bytes / plain_bytes,
    }


async def bench_kernel_lifecycle(server: Server, fixtures: Path) -> Result:
    t = time.perf_counter()
    kid = await start_kernel(server)
    client = await KernelClient.connect(server, kid)
    await client.wait_idle_after_info()
    started = time.perf_counter() - t
    client.close()
    t = time.perf_counter()
    await stop_kernel(server, kid)
    return {"kernel start to idle s": started, "kernel DELETE s": time.perf_counter() - t}


#: Our server's extra options per benchmark (the reference is started without them).
OURS_ARGV: dict[str, list[str]] = {"kernel_pool": ["--KernelPool.sizes=python3=1"]}
#: How long the pool has to start its kernel before the measurement (nothing to poll from outside).
POOL_WARMUP_S = 6.0


async def bench_kernel_pool(server: Server, fixtures: Path) -> Result:
    """Kernel start to idle when ours has a warm pool of one (the reference has none)."""
    await asyncio.sleep(POOL_WARMUP_S)  # both sides wait the same
    result = await bench_kernel_lifecycle(server, fixtures)
    return {"kernel start to idle, warm pool s": result["kernel start to idle s"]}


async def bench_execute(server: Server, fixtures: Path) -> Result:
    kid = await start_kernel(server)
    out: Result = {}
    try:
        for protocol in ("json", "v1"):
            for ack in (False, True):
                client = await KernelClient.connect(server, kid, protocol=protocol, quickack=ack)
                await client.wait_idle_after_info()
                times = []
                for _ in range(40):
                    t = time.perf_counter()
                    await client.execute("1")
                    times.append(time.perf_counter() - t)
                client.close()
                kind = "acking client" if ack else "plain client"
                out[f"execute round trip {protocol} {kind} p50 ms"] = 1000 * statistics.median(times)
                out[f"execute round trip {protocol} {kind} p99 ms"] = 1000 * percentile(times, 0.99)
    finally:
        await stop_kernel(server, kid)
    alone = await _kernel_alone(server, "execute")
    out["execute round trip p50 ms, the kernel alone (no server)"] = alone["execute round trip p50 ms"]
    return out


async def bench_iopub(server: Server, fixtures: Path) -> Result:
    kid = await start_kernel(server)
    try:
        client = await KernelClient.connect(server, kid)
        await client.wait_idle_after_info()
        n = 200_000
        t = time.perf_counter()
        text = await client.execute_collect_stream(f"for i in range({n}): print(i)")
        elapsed = time.perf_counter() - t
        lines = text.count("\n")
        t = time.perf_counter()
        displays = await client.execute_count_displays("from IPython.display import display\nfor i in range(3000): display(i)")
        display_elapsed = time.perf_counter() - t
        client.close()
    finally:
        await stop_kernel(server, kid)
    alone = await _kernel_alone(server, "iopub")
    return {
        "stream MB/s": len(text.encode()) / 2**20 / elapsed,
        "stream lines dropped": float(n - lines),
        "display messages/s": displays / display_elapsed,
        "display messages dropped": float(3000 - displays),
        "stream MB/s, the kernel alone (no server)": alone["stream MB/s"],
        "display messages/s, the kernel alone (no server)": alone["display messages/s"],
    }


async def _kernel_alone(server: Server, what: str) -> Result:
    """The same cells with no server, this side's ipykernel read directly (_kernel_alone.py)."""
    proc = await asyncio.create_subprocess_exec(
        str(server.env / "bin" / "python"), str(Path(__file__).with_name("_kernel_alone.py")), what,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"the kernel alone failed: {err.decode()[-2000:]}")
    return dict(json.loads(out))


BENCHES: dict[str, tuple[Bench, str]] = {
    "memory": (bench_memory, "full"),
    "rest": (bench_rest, "full"),
    "big_listing": (bench_big_listing, "full"),
    "big_notebook": (bench_big_notebook, "full"),
    "crowd": (bench_crowd, "full"),
    "slow_link": (bench_slow_link, "full"),
    "polling": (bench_polling, "full"),
    "kernel": (bench_kernel_lifecycle, "full"),
    "kernel_pool": (bench_kernel_pool, "full"),
    "execute": (bench_execute, "full"),
    "iopub": (bench_iopub, "full"),
    "slow_reader": (bench_slow_reader, "full"),
}


def cold_start(env: Path, label: str, root: Path, command: str = "jupyter-server",
               ready_path: str = "/api/status") -> float:
    server = Server(label, env, root, command, ready_path)
    try:
        return server.start()
    finally:
        server.stop()


async def run(config: dict[str, Any]) -> None:
    envs = {k: Path(v) for k, v in config["envs"].items()}
    only = set(config["only"])
    rounds = int(config["rounds"])
    fixtures = Path(tempfile.mkdtemp(prefix="bench-root-"))
    make_fixtures(fixtures)
    samples: dict[str, dict[str, list[float]]] = {}

    def record(figure: str, side: str, value: float) -> None:
        samples.setdefault(figure, {"ours": [], "reference": []})[side].append(value)

    if not only or "cold_start" in only:
        for _ in range(rounds):
            for side, env_name, figure in (
                ("ours", "core", "cold start core-only s"), ("reference", "reference", "cold start core-only s"),
                ("ours", "full", "cold start full s"), ("reference", "reference", "cold start full s"),
            ):
                record(figure, side, cold_start(envs[env_name], side, fixtures))
    if (not only or "lab_start" in only) and "full-lab" in envs:
        for round_no in range(rounds):
            order = [("ours", "full-lab"), ("reference", "reference-lab")]
            for side, env_name in order if round_no % 2 == 0 else order[::-1]:
                record("`jupyter lab` cold start to /lab 200 s", side,
                       cold_start(envs[env_name], side, fixtures, "jupyter-lab", "/lab"))
    for name, (bench, flavour) in BENCHES.items():
        if only and name not in only:
            continue
        for round_no in range(rounds):
            # Alternate who goes first, so drift on a noisy machine falls on both sides.
            order = [("ours", envs[flavour]), ("reference", envs["reference"])]
            if round_no % 2:
                order.reverse()
            for side, env in order:
                server = Server(side, env, fixtures, extra_argv=OURS_ARGV.get(name) if side == "ours" else None)
                server.start()
                try:
                    result = await bench(server, fixtures)
                except Exception as exc:  # noqa: BLE001 - a failing bench is reported, not fatal
                    print(f"  {name} failed on {side}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    result = {}
                finally:
                    server.stop()
                for figure, value in result.items():
                    record(figure, side, value)
            print(f"  {name}: round {round_no + 1}/{rounds} done", file=sys.stderr)
    report(samples, config)


def report(samples: dict[str, dict[str, list[float]]], config: dict[str, Any]) -> None:
    rows = []
    for figure, sides in samples.items():
        ours = statistics.median(sides["ours"]) if sides["ours"] else float("nan")
        ref = statistics.median(sides["reference"]) if sides["reference"] else float("nan")
        ratio = ours / ref if ref else float("nan")
        rows.append({"figure": figure, "ours": ours, "reference": ref, "ratio": ratio,
                     "n": min(len(sides["ours"]), len(sides["reference"]))})
    width = max(len(r["figure"]) for r in rows) if rows else 10
    print(f"\n| {'figure'.ljust(width)} | ours | reference | ours/reference |")
    print(f"|{'-' * (width + 2)}|---:|---:|---:|")
    for r in rows:
        print(f"| {r['figure'].ljust(width)} | {r['ours']:.4g} | {r['reference']:.4g} | {r['ratio']:.3f} |")
    out = {"machine": config["machine"], "rounds": config["rounds"], "results": rows,
           "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    Path(config["json"]).write_text(json.dumps(out, indent=2))
    print(f"\nJSON: {config['json']}")


if __name__ == "__main__":
    asyncio.run(run(json.loads(sys.argv[1])))
