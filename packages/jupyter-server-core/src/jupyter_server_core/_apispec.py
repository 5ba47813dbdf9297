"""The OpenAPI document of the running server, assembled from what each wheel declares."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["ApiSpec", "error_response", "json_response"]


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

    def document(self) -> dict[str, Any]:
        return {
            "openapi": "3.0.3",
            "info": {"title": "Jupyter Server API", "version": self.version},
            "components": {
                "schemas": self._schemas,
                "securitySchemes": {
                    "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                              "description": "`Authorization: token <token>`"}
                },
            },
            "security": [{"token": []}],
            "paths": dict(sorted(self._paths.items())),
        }


CORE_PATHS: dict[str, Any] = {
    "/api": {"get": {"summary": "The server version", "security": [],
                     "responses": {"200": json_response("Version", {"type": "object", "properties": {"version": {"type": "string"}}})}}},
    "/api/status": {"get": {"summary": "Server status: start, last activity, kernels, connections",
                            "responses": {"200": json_response("Status", {"type": "object", "properties": {
                                "started": {"type": "string", "format": "date-time"},
                                "last_activity": {"type": "string", "format": "date-time"},
                                "kernels": {"type": "integer"}, "connections": {"type": "integer"}}}),
                                "403": error_response("Not authenticated")}}},
    "/api/me": {"get": {"summary": "The current user and, on request, their permissions",
                        "parameters": [{"name": "permissions", "in": "query", "schema": {"type": "string"},
                                        "description": 'JSON: {"resource": ["read", "write", "execute"]}'}],
                        "responses": {"200": json_response("Identity and permissions"),
                                      "400": error_response("Malformed permissions")}},
                "patch": {"summary": "Change the caller's display fields (name, display_name, initials, avatar_url, color)",
                          "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                          "responses": {"200": json_response("The updated identity"),
                                        "400": error_response("A field that cannot be updated")}}},
    "/api/spec.yaml": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI document"}}}},
    "/api/config/{section_name}": {
        "parameters": [{"name": "section_name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"summary": "A frontend config section", "responses": {"200": json_response("The section", {"type": "object"})}},
        "put": {"summary": "Replace a config section", "responses": {"204": {"description": "Saved"}, "400": error_response("Not a JSON object")}},
        "patch": {"summary": "Merge into a config section (null deletes a key)",
                  "responses": {"200": json_response("The updated section", {"type": "object"}), "400": error_response("Not a JSON object")}},
    },
}
