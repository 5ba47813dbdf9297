"""OpenAPI fragments of /api/contents and /files/, added to /api/spec.yaml on load."""

from __future__ import annotations

from typing import Any

__all__ = ["CONTENTS_PATHS", "CONTENTS_SCHEMAS"]


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _error(description: str) -> dict[str, Any]:
    return _json(description, {"$ref": "#/components/schemas/Error"})


_CONTENTS = {"$ref": "#/components/schemas/Contents"}
_CHECKPOINT = {"$ref": "#/components/schemas/Checkpoints"}
_CONFLICT = {"$ref": "#/components/schemas/Conflict"}
_PATH = {"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "API path of the item, relative to the contents root"}
_CHECKPOINT_ID = {"name": "checkpoint_id", "in": "path", "required": True, "schema": {"type": "string"}}
_LOCATION = {"Location": {"description": "URL of the item", "schema": {"type": "string"}}}


def _query(name: str, description: str, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "schema": {"type": "string"}, "description": description}


def _with_location(response: dict[str, Any]) -> dict[str, Any]:
    return {**response, "headers": _LOCATION}


CONTENTS_PATHS: dict[str, Any] = {
    "/api/contents/{path}": {
        "parameters": [_PATH],
        "get": {
            "summary": "A directory listing, a notebook or a file",
            "parameters": [
                _query("type", "Expected type", ["directory", "file", "notebook"]),
                _query("format", "Format of a file's content", ["text", "base64"]),
                _query("content", "0 for the model without content", ["0", "1"]),
                _query("hash", "1 to add hash and hash_algorithm", ["0", "1"]),
                _query("page_size", "Folders: at most this many entries (1 to 10000), sorted by name"),
                _query("cursor", "Folders: the next_cursor of the previous page"),
                _query("stat", "Folders: 0 for entries with name, path and type only", ["0", "1"]),
                _header("If-None-Match", "ETags the client holds: 304 when one is current"),
            ],
            "responses": {"200": _json("The model (ETag: the content hash of a file or notebook)", _CONTENTS),
                          "304": {"description": "Not modified: the client's copy is current"},
                          "400": _error("Bad type, format, content, page_size, cursor or stat"),
                          "404": _error("No such item")},
        },
        "put": {
            "summary": "Save a notebook, file or directory (chunk 1..n, -1 for the last chunk of an upload)",
            "parameters": [_header("If-Match", "Save only over this version (the GET's ETag), or * for any")],
            "requestBody": {"content": {"application/json": {"schema": _CONTENTS}}},
            "responses": {"200": _with_location(_json("Saved over an existing file", _CONTENTS)),
                          "201": _with_location(_json("Created", _CONTENTS)),
                          "400": _error("Invalid model"), "404": _error("No such parent directory"),
                          "409": _json("The file is not the version If-Match or hash names", _CONFLICT)},
        },
        "post": {
            "summary": "Create an untitled item (type, ext) or a copy (copy_from) in this directory",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "copy_from": {"type": "string"}, "ext": {"type": "string"},
                "type": {"type": "string", "enum": ["notebook", "file", "directory"]}}}}}},
            "responses": {"201": _with_location(_json("Created", _CONTENTS)),
                          "400": _error("Not a directory, or bad type"), "404": _error("No such directory")},
        },
        "patch": {
            "summary": "Rename or move: body {\"path\": new_path}",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "path": {"type": "string"}}}}}},
            "responses": {"200": _with_location(_json("Renamed", _CONTENTS)), "404": _error("No such item"),
                          "409": _error("The new path exists")},
        },
        "delete": {
            "summary": "Delete (to the trash when configured)",
            "responses": {"204": {"description": "Deleted"}, "400": _error("Root or a kept directory"),
                          "404": _error("No such item")},
        },
    },
    "/api/contents/{path}/checkpoints": {
        "parameters": [_PATH],
        "get": {"summary": "List checkpoints", "responses": {"200": _json("Checkpoints", {"type": "array", "items": _CHECKPOINT})}},
        "post": {"summary": "Create a checkpoint",
                 "responses": {"201": _with_location(_json("The checkpoint", _CHECKPOINT)), "404": _error("No such file")}},
    },
    "/api/contents/{path}/checkpoints/{checkpoint_id}": {
        "parameters": [_PATH, _CHECKPOINT_ID],
        "post": {"summary": "Restore a checkpoint", "responses": {"204": {"description": "Restored"},
                                                                   "404": _error("No such checkpoint")}},
        "delete": {"summary": "Delete a checkpoint", "responses": {"204": {"description": "Deleted"},
                                                                    "404": _error("No such checkpoint")}},
    },
    "/api/contents/{path}/trust": {
        "parameters": [_PATH],
        "post": {"summary": "Trust (sign) a notebook", "responses": {"201": {"description": "Trusted"},
                                                                      "400": _error("Not a notebook"),
                                                                      "404": _error("No such notebook")}},
    },
    "/files/{path}": {
        "parameters": [_PATH],
        "get": {"summary": "The file's bytes (download=1: as an attachment)",
                "parameters": [_query("download", "1 for Content-Disposition: attachment", ["0", "1"])],
                "responses": {"200": {"description": "The file"}, "304": {"description": "Not modified"},
                              "403": {"description": "Outside the root"}, "404": {"description": "No such file"}}},
    },
}

_NULLABLE_STRING = {"type": "string", "nullable": True}

CONTENTS_SCHEMAS: dict[str, Any] = {
    "Contents": {
        "type": "object",
        "required": ["name", "path", "type", "writable", "created", "last_modified", "mimetype", "content", "format"],
        "properties": {
            "name": {"type": "string"},
            "path": {"type": "string"},
            "type": {"type": "string", "enum": ["directory", "file", "notebook"]},
            "writable": {"type": "boolean"},
            "created": {"type": "string", "format": "date-time"},
            "last_modified": {"type": "string", "format": "date-time"},
            "size": {"type": "integer", "nullable": True},
            "mimetype": _NULLABLE_STRING,
            "content": {"nullable": True, "description": "Listing, notebook JSON, or text/base64 string"},
            "format": {"type": "string", "nullable": True, "enum": ["json", "text", "base64", None]},
            "hash": _NULLABLE_STRING,
            "hash_algorithm": _NULLABLE_STRING,
            "message": {"type": "string", "description": "Notebook validation message, when invalid"},
            "next_cursor": {"type": "string", "nullable": True,
                            "description": "Paged listings only: the cursor of the next page, null on the last"},
        },
    },
    "Conflict": {
        "type": "object",
        "required": ["message", "reason", "hash", "hash_algorithm"],
        "properties": {"message": {"type": "string"}, "reason": {"type": "string"},
                       "hash": {**_NULLABLE_STRING, "description": "The current hash; null when there is no file"},
                       "hash_algorithm": _NULLABLE_STRING},
    },
    "Checkpoints": {
        "type": "object",
        "required": ["id", "last_modified"],
        "properties": {"id": {"type": "string"}, "last_modified": {"type": "string", "format": "date-time"}},
    },
}
