"""``jupyter_server.services.security``: where browsers report Content-Security-Policy violations."""

from __future__ import annotations

__all__ = ["csp_report_uri"]

#: The path (under base_url) named in the CSP ``report-uri`` directive.
csp_report_uri = "/api/security/csp-report"
