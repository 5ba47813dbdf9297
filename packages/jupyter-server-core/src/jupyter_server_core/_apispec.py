"""The API document of the running server, assembled from what each wheel declares.

Wheels write OpenAPI 3 fragments; ``/api/spec.yaml`` serves them as Swagger 2.0 with
``definitions``, the layout jupyter_server's clients read (see :mod:`._swagger`).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["ApiSpec", "CORE_PATHS", "CORE_SCHEMAS", "error_response", "json_response"]


def json_response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def error_response(description: str) -> dict[str, Any]:
    return json_response(description, {"$ref": "#/components/schemas/Error"})


class ApiSpec:
    """Collects OpenAPI paths and schemas; each wheel adds its own when it loads.

    ``add(paths, schemas)`` takes fragments in OpenAPI 3 form; paths are relative to the
    server's base URL, as ``/api/kernels``.
    """

    def __init__(self, version: str) -> None:
        self._paths: dict[str, Any] = {}
        self._schemas: dict[str, Any] = {
            "Error": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "reason": {"type": ["string", "null"]}},
                "required": ["message"],
            }
        }
        self.version = version

    def add(self, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
        for path, operations in paths.items():
            self._paths.setdefault(path, {}).update(copy.deepcopy(operations))
        self._schemas.update(copy.deepcopy(schemas or {}))

    def document(self, base_url: str = "/") -> dict[str, Any]:
        """The Swagger 2.0 document of every path and model added so far."""
        from ._swagger import swagger_document

        return swagger_document(self.version, base_url, self._paths, self._schemas)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


CORE_SCHEMAS: dict[str, Any] = {
    "APIStatus": {"type": "object", "description": "What the server is doing", "properties": {
        "started": {"type": "string", "format": "date-time"},
        "last_activity": {"type": "string", "format": "date-time"},
        "kernels": {"type": "integer"}, "connections": {"type": "integer"}}},
    "Identity": {"type": "object", "description": "Who the user is", "properties": {
        "username": {"type": "string"}, "name": {"type": "string"}, "display_name": {"type": "string"},
        "initials": {"type": ["string", "null"]}, "avatar_url": {"type": ["string", "null"]},
        "color": {"type": ["string", "null"]}}},
    "Permissions": {"type": "object", "description": "The actions allowed per resource that was asked about",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "ResolvedPath": {"type": "object", "properties": {
        "resolved": {"type": "array", "items": {"type": "object", "properties": {
            "scope": {"type": "string"}, "path": {"type": "string"}}}},
        "unresolved": {"type": "array", "items": {"type": "object", "properties": {
            "scope": {"type": "string"}, "reason": {"type": "string"}}}}}},
}

CORE_PATHS: dict[str, Any] = {
    "/api": {"get": {"summary": "The server version", "security": [],
                     "responses": {"200": json_response("Version", {"type": "object", "properties": {"version": {"type": "string"}}})}}},
    "/api/status": {"get": {"summary": "Server status: start, last activity, kernels, connections",
                            "responses": {"200": json_response("Status", _ref("APIStatus")),
                                          "403": error_response("Not authenticated")}}},
    "/api/me": {"get": {"summary": "The current user and, on request, their permissions",
                        "parameters": [{"name": "permissions", "in": "query", "schema": {"type": "string"},
                                        "description": 'JSON: {"resource": ["read", "write", "execute"]}'}],
                        "responses": {"200": json_response("Identity and permissions", {"type": "object", "properties": {
                            "identity": _ref("Identity"), "permissions": _ref("Permissions")}}),
                                      "400": error_response("Malformed permissions")}},
                "patch": {"summary": "Change the caller's display fields (name, display_name, initials, avatar_url, color)",
                          "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                          "responses": {"200": json_response("The updated identity"),
                                        "400": error_response("A field that cannot be updated")}}},
    "/api/spec.yaml": {"get": {"summary": "This document", "responses": {"200": {"description": "Swagger 2.0 document"}}}},
    "/api/resolvePath": {"get": {
        "summary": "What a path (printed by a kernel, say) names, per scope: server (an API path) and kernel",
        "parameters": [{"name": "path", "in": "query", "required": True, "schema": {"type": "string"}},
                       {"name": "kernel", "in": "query", "schema": {"type": "string"}, "description": "kernel id"}],
        "responses": {"200": json_response("The scopes that resolved it", _ref("ResolvedPath")),
                      "400": error_response("No path given")}}},
    "/api/shutdown": {"post": {"summary": "Stop kernels, terminals and the server (answered first)",
                               "responses": {"200": {"description": "The server is stopping"}}}},
    "/api/security/csp-report": {"post": {"summary": "A browser's Content-Security-Policy violation report (logged)",
                                          "responses": {"200": {"description": "Logged"}}}},
    "/api/config/{section_name}": {
        "parameters": [{"name": "section_name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"summary": "A frontend config section", "responses": {"200": json_response("The section", {"type": "object"})}},
        "put": {"summary": "Replace a config section", "responses": {"204": {"description": "Saved"}, "400": error_response("Not a JSON object")}},
        "patch": {"summary": "Merge into a config section (null deletes a key)",
                  "responses": {"200": json_response("The updated section", {"type": "object"}), "400": error_response("Not a JSON object")}},
    },
}
