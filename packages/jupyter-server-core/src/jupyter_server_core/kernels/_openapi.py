"""OpenAPI fragments for the kernel and kernelspec endpoints (added to /api/spec.yaml)."""

from __future__ import annotations

from typing import Any

from .._apispec import error_response, json_response

__all__ = ["KERNEL_PATHS", "KERNEL_SCHEMAS"]

_KERNEL = {"$ref": "#/components/schemas/Kernel"}
_ID = [{"name": "kernel_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]

KERNEL_SCHEMAS: dict[str, Any] = {
    "Kernel": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "description": "The kernel spec name"},
            "last_activity": {"type": "string", "format": "date-time"},
            "execution_state": {"type": "string", "description": "starting, idle, busy, restarting, dead"},
            "connections": {"type": "integer", "description": "Open WebSocket connections"},
        },
    },
    "KernelSpec": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "spec": {"type": "object", "description": "kernel.json: argv, display_name, language, ..."},
            "resources": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}

KERNEL_PATHS: dict[str, Any] = {
    "/api/kernels": {
        "get": {"summary": "List the running kernels",
                "responses": {"200": json_response("Kernels", {"type": "array", "items": _KERNEL})}},
        "post": {
            "summary": "Start a kernel",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "name": {"type": "string", "description": "Kernel spec name; the default if omitted"},
                "path": {"type": "string", "description": "Working directory, relative to the server root"},
                "custom_kernel_specs": {"type": "object", "description": (
                    "Launch parameter values of a parameterized kernelspec (JEP 87), checked "
                    "against its metadata.parameters schema")}}}}}},
            "responses": {"201": json_response("The new kernel (Location header: its URL)", _KERNEL),
                          "400": error_response("Unknown kernel spec, a path outside the root, or a refused parameter")},
        },
    },
    "/api/kernels/{kernel_id}": {
        "parameters": _ID,
        "get": {"summary": "A kernel's model",
                "responses": {"200": json_response("The kernel", _KERNEL), "404": error_response("No such kernel")}},
        "delete": {"summary": "Shut a kernel down",
                   "responses": {"204": {"description": "Shut down"}, "404": error_response("No such kernel")}},
    },
    "/api/kernels/{kernel_id}/interrupt": {
        "parameters": _ID,
        "post": {"summary": "Interrupt a kernel",
                 "responses": {"204": {"description": "Interrupted"}, "404": error_response("No such kernel"),
                               "409": error_response("The kernel is still starting")}},
    },
    "/api/kernels/{kernel_id}/restart": {
        "parameters": _ID,
        "post": {"summary": "Restart a kernel; answers once it runs again",
                 "responses": {"200": json_response("The restarted kernel", _KERNEL),
                               "404": error_response("No such kernel"),
                               "409": error_response("The kernel is still starting")}},
    },
    "/api/kernels/{kernel_id}/channels": {
        "parameters": _ID,
        "get": {"summary": "The kernel WebSocket (JSON or v1.kernel.websocket.jupyter.org subprotocol); "
                           "?replay_since=<msg_id> first sends what the kernel's journal kept after that message",
                "responses": {"101": {"description": "Switching protocols"}, "404": error_response("No such kernel")}},
    },
    "/api/kernels/{kernel_id}/journal": {
        "parameters": [*_ID,
                       {"name": "since", "in": "query", "schema": {"type": "string"},
                        "description": "A msg_id: list only what the kernel published after it"},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                        "description": "At most this many messages (default 1000)"}],
        "get": {"summary": "The iopub messages the kernel's output journal keeps, oldest first",
                "responses": {"200": json_response("Messages", {"type": "object", "properties": {
                    "messages": {"type": "array", "items": {"type": "object"}},
                    "more": {"type": "boolean", "description": "More messages follow: ask again with since"}}}),
                              "400": error_response("A malformed since or limit"),
                              "404": error_response("No such kernel, no journal, or since is not in it")}},
    },
    "/api/kernelspecs": {
        "get": {"summary": "The installed kernel specs and the default one",
                "responses": {"200": json_response("Kernel specs", {"type": "object", "properties": {
                    "default": {"type": "string"},
                    "kernelspecs": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/KernelSpec"}}}})}},
    },
    "/api/kernelspecs/{kernel_name}": {
        "parameters": [{"name": "kernel_name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"summary": "One kernel spec",
                "responses": {"200": json_response("The kernel spec", {"$ref": "#/components/schemas/KernelSpec"}),
                              "404": error_response("No such kernel spec")}},
    },
}
