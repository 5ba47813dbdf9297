"""/metrics: Prometheus text with jupyter_server 2.x's metric names, counters that move."""

from __future__ import annotations

import re
import time

import pytest


def sample(text: str, metric: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text output, or None when absent."""
    for line in text.splitlines():
        if not line.startswith(metric + "{") and not line.startswith(metric + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def scrape(jp_fetch) -> str:
    r = await jp_fetch("metrics")
    assert r.headers["Content-Type"].startswith("text/plain")
    return r.body.decode()


async def test_metrics_need_auth(jp_fetch):
    r = await jp_fetch("metrics", headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authenticate_prometheus": False}}])
async def test_metrics_open_when_configured(jp_fetch):
    r = await jp_fetch("metrics", headers={"Authorization": None}, raise_error=False)
    assert r.code == 200
    assert "jupyter_server_info" in r.body.decode()


async def test_request_histogram_counts_requests(jp_fetch):
    for _ in range(3):
        await jp_fetch("api", "status")
    await jp_fetch("api", "nope", raise_error=False)
    text = await scrape(jp_fetch)
    status = sample(text, "http_request_duration_seconds_count",
                    handler="jupyter_server_core._api_handlers.APIStatusHandler", method="GET", status_code="200")
    assert status == 3
    missing = sample(text, "http_request_duration_seconds_count", method="GET", status_code="404")
    assert missing == 1
    inf = sample(text, "http_request_duration_seconds_bucket",
                 handler="jupyter_server_core._api_handlers.APIStatusHandler", le="+Inf")
    assert inf == 3


async def test_server_gauges(jp_fetch, jp_serverapp):
    text = await scrape(jp_fetch)
    assert sample(text, "jupyter_server_info", version=jp_serverapp.version) == 1
    assert sample(text, "jupyter_server_extension_info", name="jupyter_server_core", enabled="true") == 1
    started = sample(text, "jupyter_server_started_timestamp_seconds")
    last = sample(text, "jupyter_server_last_activity_timestamp_seconds")
    assert started is not None and last is not None
    assert started <= last <= time.time()
    assert sample(text, "terminal_currently_running_total") == 0
    assert sample(text, "process_resident_memory_bytes") is not None


async def test_kernel_gauge_follows_kernels(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = await km.start_kernel(kernel_name="python3")
    try:
        text = await scrape(jp_fetch)
        assert sample(text, "kernel_currently_running_total", type="python3") == 1
    finally:
        await km.shutdown_kernel(kid, now=True)
    text = await scrape(jp_fetch)
    assert not sample(text, "kernel_currently_running_total", type="python3")


async def test_extension_gauge(jp_fetch, jp_serverapp):
    jp_serverapp.metrics.add_gauge(
        "terminal_currently_running_total", "terminals open right now",
        lambda: [({}, 2.0)])
    text = await scrape(jp_fetch)
    assert sample(text, "terminal_currently_running_total") == 2
