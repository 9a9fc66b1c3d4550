"""OpenAPI post-processing: every operation documents Kinga's JSON error answers.

Views raise errors through DRF and ``kinga.core.api.exception_handler`` shapes them all
as ``{"error": code, "detail": …}``; this hook writes that contract into the schema so
clients (and schemathesis) can rely on it.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "A stable, machine-readable code."},
        "detail": {
            "description": "What went wrong, in words; for invalid input, the fields at fault.",
            "oneOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}],
        },
    },
    "required": ["error", "detail"],
}
_DESCRIPTIONS = {
    "400": "The request is malformed or a field is invalid.",
    "401": "Not signed in, or the token is wrong or expired.",
    "403": "Signed in, but not allowed (e.g. two-factor sign-in required).",
    "404": "Not found, or not yours to see: the two are the same answer.",
    "409": "Not allowed in the record's current state, or the record changed meanwhile.",
    "413": "The request body is too large.",
}


def _needed(path: str, method: str) -> list[str]:
    codes = ["401", "403", "413"]
    if method != "get":
        codes += ["400", "409"]
    else:
        codes.append("400")  # bad query parameters
    if "{" in path or method != "get":
        codes.append("404")
    return codes


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _needed(path, method):
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
