"""jupyter_server.log.log_request: the line goes to the logger method named after the level,
so 2.x code that swaps a handler's ``log`` and watches ``log.debug`` sees it."""

from __future__ import annotations

from types import SimpleNamespace

from jupyter_server.log import log_request


class RecordingLog:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name: str):
        return lambda text, *args: self.calls.append((name, text))


def handler_for(status: int, uri: str) -> SimpleNamespace:
    request = SimpleNamespace(method="GET", uri=uri, remote_ip="127.0.0.1", headers={"Referer": uri},
                              request_time=lambda: 0.01)
    return SimpleNamespace(get_status=lambda: status, request=request, log=RecordingLog(),
                           settings={"extra_log_scrub_param_keys": ["secret"]}, current_user=None)


def test_a_success_is_one_debug_line_with_secrets_scrubbed() -> None:
    handler = handler_for(200, "/api/status?token=abc123&secret=s3&keep=1")
    log_request(handler, record_prometheus_metrics=False)
    [(method, text)] = handler.log.calls
    assert method == "debug"
    assert "abc123" not in text and "s3&" not in text and "keep=1" in text


def test_a_server_error_logs_its_headers_then_the_line_as_errors() -> None:
    handler = handler_for(500, "/api/x?token=abc123")
    log_request(handler, record_prometheus_metrics=False)
    assert [m for m, _ in handler.log.calls] == ["error", "error"]
    assert all("abc123" not in text for _, text in handler.log.calls)
