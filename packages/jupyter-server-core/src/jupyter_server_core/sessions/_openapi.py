"""OpenAPI fragments for the session endpoints (added to /api/spec.yaml)."""

from __future__ import annotations

from typing import Any

from .._apispec import error_response, json_response

__all__ = ["SESSION_PATHS", "SESSION_SCHEMAS"]

_SESSION = {"$ref": "#/components/schemas/Session"}
_ID = [{"name": "session_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]
_BODY = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "path": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
    "kernel": {"type": "object", "properties": {
        "name": {"type": "string"}, "id": {"type": "string"},
        "custom_kernel_specs": {"type": "object", "description": (
            "Launch parameter values for the new kernel (JEP 87), as on POST /api/kernels")}}}}}}}}

SESSION_SCHEMAS: dict[str, Any] = {
    "Session": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "path": {"type": "string", "description": "The document's path, relative to the server root"},
            "name": {"type": "string", "nullable": True},
            "type": {"type": "string", "nullable": True, "description": "notebook, console, file..."},
            "kernel": {"$ref": "#/components/schemas/Kernel"},
            "notebook": {"type": "object", "description": "For type notebook: {path, name}"},
        },
    },
}

SESSION_PATHS: dict[str, Any] = {
    "/api/sessions": {
        "get": {"summary": "List the sessions",
                "responses": {"200": json_response("Sessions", {"type": "array", "items": _SESSION})}},
        "post": {"summary": "The session for a path: the existing one or a new one with a kernel",
                 "requestBody": _BODY,
                 "responses": {"201": json_response("The session (Location header: its URL)", _SESSION),
                               "400": error_response("Missing path or type, bad path, a refused kernel parameter"),
                               "501": json_response("No such kernel spec: {message, short_message}")}},
    },
    "/api/sessions/{session_id}": {
        "parameters": _ID,
        "get": {"summary": "A session",
                "responses": {"200": json_response("The session", _SESSION), "404": error_response("No such session")}},
        "patch": {"summary": "Rename a session or change its kernel (by name: a new kernel; by id: a running one)",
                  "requestBody": _BODY,
                  "responses": {"200": json_response("The session", _SESSION),
                                "400": error_response("Bad body, unknown kernel or a refused kernel parameter"),
                                "404": error_response("No such session")}},
        "delete": {"summary": "Delete a session and shut its kernel down",
                   "responses": {"204": {"description": "Deleted"}, "404": error_response("No such session")}},
    },
}
