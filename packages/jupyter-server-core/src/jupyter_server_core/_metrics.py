"""Prometheus metrics at ``/metrics``, with the names jupyter_server 2.x exports.

Request durations are recorded in a small in-process histogram on every request; the
prometheus_client library is imported only when ``/metrics`` is first scraped, so a server
nobody scrapes never pays for it.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tornado import web

from ._base_handlers import JupyterHandler
from ._urls import url_path_join

if TYPE_CHECKING:
    from ._serverapp import ServerApp

__all__ = ["ServerMetrics", "MetricsHandler", "metrics_routes", "BUCKETS"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, math.inf)

GaugeSource = Callable[[], list[tuple[dict[str, str], float]]]


class _Series:
    __slots__ = ("buckets", "total", "count", "created")

    def __init__(self) -> None:
        self.buckets = [0] * len(BUCKETS)
        self.total = 0.0
        self.count = 0
        self.created = time.time()


class ServerMetrics:
    """What ``/metrics`` reports: request durations plus gauges that services register.

    Extensions add a gauge with :meth:`add_gauge` (the terminals extension reports
    ``terminal_currently_running_total`` this way).
    """

    def __init__(self, serverapp: ServerApp) -> None:
        self.serverapp = serverapp
        self._requests: dict[tuple[str, str, str], _Series] = {}
        self._gauges: dict[str, tuple[str, GaugeSource]] = {}

    def observe(self, handler: str, method: str, status_code: int, seconds: float) -> None:
        key = (handler, method, str(status_code))
        series = self._requests.get(key)
        if series is None:
            series = self._requests[key] = _Series()
        # Buckets are cumulative at export; store per-bucket counts here.
        series.buckets[bisect.bisect_left(BUCKETS, seconds)] += 1
        series.total += seconds
        series.count += 1

    def log_function(self, inner: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap tornado's ``log_function`` so every finished request is also observed."""

        def log_and_observe(handler: Any) -> None:
            inner(handler)
            cls = type(handler)
            self.observe(f"{cls.__module__}.{cls.__qualname__}", handler.request.method or "",
                         handler.get_status(), handler.request.request_time())

        return log_and_observe

    def add_gauge(self, name: str, documentation: str, source: GaugeSource) -> None:
        """Report gauge ``name``: ``source()`` returns ``[(labels, value), ...]`` at scrape time."""
        self._gauges[name] = (documentation, source)

    # -- export ----------------------------------------------------------------------

    def collect(self) -> Iterator[Any]:
        """prometheus_client collector protocol: yield metric families."""
        from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

        histogram = HistogramMetricFamily(
            "http_request_duration_seconds", "HTTP request handling time in seconds, by handler, method and status",
            labels=["handler", "method", "status_code"],
        )
        for (handler, method, status), series in self._requests.items():
            cumulative, buckets = 0, []
            for bound, n in zip(BUCKETS, series.buckets, strict=True):
                cumulative += n
                buckets.append(("+Inf" if math.isinf(bound) else str(bound), cumulative))
            histogram.add_metric([handler, method, status], buckets, series.total)
        yield histogram

        app = self.serverapp
        kernels = GaugeMetricFamily(
            "kernel_currently_running_total",
            "kernels alive right now, per kernelspec name", labels=["type"],
        )
        by_name: dict[str, int] = {}
        km = app.kernel_manager
        for kid in list(km.list_kernel_ids()) if km is not None else []:
            try:
                name = km.get_kernel(kid).kernel_name
            except KeyError:
                continue
            by_name[name] = by_name.get(name, 0) + 1
        for name, n in sorted(by_name.items()):
            kernels.add_metric([name], n)
        yield kernels

        gauges = dict(self._gauges)
        if "terminal_currently_running_total" not in gauges:
            gauges["terminal_currently_running_total"] = (
                "terminals open right now", lambda: [({}, 0.0)])
        for name, (doc, source) in gauges.items():
            samples = source()
            labels = sorted({k for lbls, _ in samples for k in lbls})
            family = GaugeMetricFamily(name, doc, labels=labels)
            for lbls, value in samples:
                family.add_metric([lbls.get(k, "") for k in labels], value)
            yield family

        info = GaugeMetricFamily("jupyter_server_info", "the server version, as a label", labels=["version"])
        info.add_metric([app.version], 1)
        yield info

        ext = GaugeMetricFamily(
            "jupyter_server_extension_info", "each server extension with its version and whether it is enabled",
            labels=["enabled", "name", "version"],
        )
        from importlib.metadata import PackageNotFoundError, packages_distributions, version

        dists = packages_distributions()
        for name, decision in sorted(app.extension_manager.decisions.items()):
            top = name.split(".")[0]
            try:
                ver = version(dists.get(top, [top])[0])
            except PackageNotFoundError:
                ver = ""
            ext.add_metric([str(decision.enabled).lower(), name, ver], 1)
        yield ext

        activity = app.activity
        last = activity.last_activity()
        for name, doc, value in (
            ("jupyter_server_last_activity_timestamp_seconds", "Unix time of the latest request or kernel message", last),
            ("jupyter_server_started_timestamp_seconds", "Unix time at which this server process started", activity.started),
            ("jupyter_server_active_duration_seconds", "seconds from server start to the latest activity", last - activity.started),
        ):
            gauge = GaugeMetricFamily(name, doc)
            gauge.add_metric([], value)
            yield gauge


class MetricsHandler(JupyterHandler):
    """``GET /metrics``: the Prometheus text format. Needs auth unless
    ``ServerApp.authenticate_prometheus`` is False."""

    auth_resource = "metrics"

    def initialize(self, metrics: ServerMetrics, authenticate: bool) -> None:
        self.metrics = metrics
        self.allow_unauthenticated = not authenticate

    def refuse_unauthenticated(self) -> None:
        raise web.HTTPError(403, "Not authenticated: send the token, or set ServerApp.authenticate_prometheus=False")

    def get(self) -> None:
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest(_Combined(REGISTRY, self.metrics)))


class _Combined:
    """The process-wide registry (process, Python and extensions' own metrics) followed by
    this server's collector. Not registered globally: several servers may share a process."""

    def __init__(self, registry: Any, metrics: ServerMetrics) -> None:
        self.registry, self.metrics = registry, metrics

    def collect(self) -> Iterator[Any]:
        yield from self.registry.collect()
        yield from self.metrics.collect()


def metrics_routes(serverapp: ServerApp) -> list[Any]:
    return [
        (url_path_join(serverapp.base_url, "metrics"), MetricsHandler,
         {"metrics": serverapp.metrics, "authenticate": serverapp.authenticate_prometheus}),
    ]
