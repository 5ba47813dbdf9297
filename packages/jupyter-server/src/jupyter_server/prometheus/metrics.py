"""``jupyter_server.prometheus.metrics``: where the server's metrics live.

The core records request durations itself and imports prometheus_client only when
``/metrics`` is scraped, so the module-level prometheus_client objects of jupyter_server
2.x do not exist here: an extension reports a value with
``serverapp.metrics.add_gauge(name, help, source)`` (see docs/porting-extensions.md).
"""

from __future__ import annotations

from jupyter_server_core._metrics import BUCKETS, ServerMetrics

__all__ = ["BUCKETS", "ServerMetrics"]
