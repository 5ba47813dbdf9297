"""The OpenAPI fragment for ``/api/nbconvert``, added to ``/api/spec.yaml`` on load."""

from __future__ import annotations

from typing import Any

__all__ = ["NBCONVERT_PATHS"]

NBCONVERT_PATHS: dict[str, Any] = {
    "/api/nbconvert": {
        "get": {
            "summary": "The export formats nbconvert offers, with their output mimetypes",
            "tags": ["nbconvert"],
            "responses": {
                "200": {"description": "{format: {output_mimetype}}", "content": {"application/json": {"schema": {
                    "type": "object",
                    "additionalProperties": {"type": "object", "properties": {"output_mimetype": {"type": "string"}}},
                }}}},
                "403": {"description": "Not authenticated or not authorized",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
    },
}
