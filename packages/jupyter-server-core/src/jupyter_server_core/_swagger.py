"""Render the server's OpenAPI 3 fragments as the Swagger 2.0 document clients know.

Wheels declare their paths and schemas in OpenAPI 3 form (:mod:`._apispec`). jupyter_server
serves ``/api/spec.yaml`` as Swagger 2.0, with the models under ``definitions``, and clients
and tools read that layout; this module turns the one into the other: request bodies become
``in: body`` parameters, response ``content`` a ``schema``, parameter ``schema`` fields are
inlined, ``$ref``s point into ``#/definitions/``, and a nullable type list becomes
``x-nullable``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["swagger_document"]

_OPENAPI_REF = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def _schema(node: Any) -> Any:
    """A schema (or any JSON value inside one) with refs and nullable types rewritten."""
    if isinstance(node, list):
        return [_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(_OPENAPI_REF):
            out[key] = "#/definitions/" + value[len(_OPENAPI_REF):]
        elif key == "type" and isinstance(value, list):
            kinds = [k for k in value if k != "null"]
            out[key] = kinds[0] if len(kinds) == 1 else kinds
            if "null" in value:
                out["x-nullable"] = True
        elif key == "nullable":
            out["x-nullable"] = value
        else:
            out[key] = _schema(value)
    return out


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in param.items() if k not in ("schema", "content")}
    out.update(_schema(param.get("schema") or {"type": "string"}))
    return out


def _body_schema(part: dict[str, Any]) -> Any:
    content = part.get("content") or {}
    for media in content.values():
        if isinstance(media, dict) and "schema" in media:
            return _schema(media["schema"])
    return None


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    out = {k: _schema(v) for k, v in operation.items() if k not in ("parameters", "requestBody", "responses")}
    parameters = [_parameter(p) for p in operation.get("parameters", [])]
    body = operation.get("requestBody")
    if isinstance(body, dict):
        param: dict[str, Any] = {"name": "body", "in": "body", "required": bool(body.get("required"))}
        param["schema"] = _body_schema(body) or {"type": "object"}
        if body.get("description"):
            param["description"] = body["description"]
        parameters.append(param)
    if parameters:
        out["parameters"] = parameters
    responses: dict[str, Any] = {}
    for status, response in (operation.get("responses") or {}).items():
        converted = {k: _schema(v) for k, v in response.items() if k != "content"}
        schema = _body_schema(response)
        if schema is not None:
            converted["schema"] = schema
        converted.setdefault("description", "")
        responses[str(status)] = converted
    out["responses"] = responses or {"default": {"description": ""}}
    return out


def _path_item(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in _METHODS:
            out[key] = _operation(value)
        elif key == "parameters":
            out[key] = [_parameter(p) for p in value]
        else:
            out[key] = _schema(value)
    return out


def swagger_document(version: str, base_url: str, paths: dict[str, Any],
                     schemas: dict[str, Any]) -> dict[str, Any]:
    """The Swagger 2.0 document of ``paths`` and ``schemas`` (both in OpenAPI 3 form)."""
    return {
        "swagger": "2.0",
        "info": {"title": "Jupyter Server API", "description": "The REST API of this Jupyter Server",
                 "version": version},
        "basePath": base_url,
        "produces": ["application/json"],
        "consumes": ["application/json"],
        "securityDefinitions": {
            "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                      "description": "`Authorization: token <token>`"},
        },
        "security": [{"token": []}],
        "paths": {path: _path_item(item) for path, item in sorted(paths.items())},
        "definitions": {name: _schema(schema) for name, schema in sorted(schemas.items())},
    }
