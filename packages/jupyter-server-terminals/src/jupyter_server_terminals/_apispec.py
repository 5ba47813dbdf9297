"""The OpenAPI fragment for ``/api/terminals``, added to ``/api/spec.yaml`` on load."""

from __future__ import annotations

from typing import Any

__all__ = ["TERMINAL_PATHS", "TERMINAL_SCHEMAS"]


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(description, {"$ref": "#/components/schemas/Error"})


_TERMINAL = {"$ref": "#/components/schemas/Terminal"}

TERMINAL_SCHEMAS: dict[str, Any] = {
    "Terminal": {
        "type": "object",
        "description": "A terminal: a shell in a pseudo-terminal, reached by WebSocket at /terminals/websocket/{name}",
        "required": ["name", "last_activity"],
        "properties": {
            "name": {"type": "string", "description": "The terminal's name (its URL component)"},
            "last_activity": {"type": "string", "format": "date-time",
                              "description": "Last input or output, ISO 8601 in UTC"},
        },
    }
}

TERMINAL_PATHS: dict[str, Any] = {
    "/api/terminals": {
        "get": {"summary": "List running terminals", "tags": ["terminals"],
                "responses": {"200": _json("The terminals", {"type": "array", "items": _TERMINAL}),
                              "403": _error("Not authenticated or not authorized")}},
        "post": {"summary": "Start a terminal (or return the running one of that name)", "tags": ["terminals"],
                 "requestBody": {"required": False, "content": {"application/json": {"schema": {
                     "type": "object",
                     "properties": {"name": {"type": "string"},
                                    "cwd": {"type": "string", "description": "Working directory, relative to the server root"}},
                 }}}},
                 "responses": {"200": _json("The terminal", _TERMINAL),
                               "400": _error("Malformed body, or cwd outside the server root"),
                               "409": _error("terminado_settings max_terminals reached")}},
    },
    "/api/terminals/{terminal_id}": {
        "parameters": [{"name": "terminal_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"summary": "Describe a terminal", "tags": ["terminals"],
                "responses": {"200": _json("The terminal", _TERMINAL), "404": _error("No such terminal")}},
        "delete": {"summary": "End a terminal and its shell process", "tags": ["terminals"],
                   "responses": {"204": {"description": "Ended"}, "404": _error("No such terminal")}},
    },
}
