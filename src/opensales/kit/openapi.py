"""OpenAPI helpers: handlers read their own bodies (for Freshsales' leniency), so request
models are registered here and added to the document's components."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from opensales.errors import ERROR_RESPONSES

REQUEST_MODELS: dict[str, type[BaseModel]] = {}


def body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` declaring a JSON request body of `model`."""
    REQUEST_MODELS[model.__name__] = model
    return {
        "requestBody": {
            "required": required,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


def responses(model: Any, *, status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": model, "description": "Success"}, **ERROR_RESPONSES}


def drop_unprocessable(schema: dict[str, Any]) -> None:
    """Bad input is a 400 here, never FastAPI's 422: the document must not promise one."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)


def add_request_models(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model in REQUEST_MODELS.items():
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in found.pop("$defs", {}).items():
            components.setdefault(def_name, definition)
        components[name] = found
