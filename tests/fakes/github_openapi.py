"""The OpenAPI side of the fake GitHub: the trimmed description, request/response checks, minimal objects.

``check_request`` / ``check_response`` return why a request or response breaks GitHub's description
(``tests/fixtures/github/openapi.json``), or None. ``instance(name, overrides)`` builds the smallest object
a ``components.schemas`` entry accepts, with the fields a test cares about on top.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

SPEC_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "github" / "openapi.json"
SPEC_HOST = "https://api.github.com"
API_VERSION = "2022-11-28"
STRING_FORMATS = {"date-time": "2026-01-01T00:00:00Z", "uri": "https://github.com/octo", "email": "octo@example.com"}


@cache
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@cache
def openapi() -> Any:
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(spec())


def instance(name: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A minimal valid ``components.schemas[name]`` object (required fields only) with ``overrides`` on top."""
    return {**_base(name), **overrides}


@cache
def _base(name: str) -> dict[str, Any]:
    value = minimal({"$ref": f"#/components/schemas/{name}"}, 0)
    assert isinstance(value, dict)
    return value


def minimal(schema: Mapping[str, Any], depth: int) -> Any:
    """The smallest value ``schema`` accepts: required properties only, empty arrays, first enum values."""
    if "$ref" in schema:
        _, _, kind, name = schema["$ref"].split("/", 3)
        return minimal(spec()["components"][kind][name], depth)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged |= minimal(part, depth)
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return minimal(schema[key][0], depth)
    if schema.get("nullable") and depth > 3:
        return None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    values: dict[str, Callable[[], Any]] = {
        "object": lambda: {n: minimal(schema["properties"][n], depth + 1) for n in schema.get("required", ())},
        "array": list,
        "integer": lambda: 1,
        "number": lambda: 1.0,
        "boolean": lambda: False,
        "string": lambda: {
            "date-time": "2026-01-01T00:00:00Z",
            "uri": "https://github.com/octo",
            "email": "octo@example.com",
        }.get(schema.get("format", ""), "x"),
    }
    return values[kind]()


def _declared(template: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec()["paths"][template][method.lower()]
    return operation


def _parameters(template: str, method: str) -> list[dict[str, Any]]:
    found = []
    for parameter in _declared(template, method).get("parameters", []):
        if "$ref" in parameter:
            parameter = spec()["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        found.append(parameter)
    return found


def check_request(
    method: str,
    template: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    raw: bytes,
    *,
    api_headers: bool = True,
) -> str | None:
    """Why the request breaks the description (or, with ``api_headers``, mlgate's header rules), or None."""
    from openapi_core.datatypes import RequestParameters
    from werkzeug.datastructures import Headers, ImmutableMultiDict

    if api_headers and headers.get("x-github-api-version") != API_VERSION:
        return f"X-GitHub-Api-Version must be {API_VERSION}, got {headers.get('x-github-api-version')!r}"
    if api_headers and "application/vnd.github+json" not in headers.get("accept", ""):
        return "Accept should be application/vnd.github+json"
    pairs = parse_qsl(query, keep_blank_values=True)
    declared = {p["name"] for p in _parameters(template, method) if p["in"] == "query"}
    unknown = sorted({k for k, _ in pairs} - declared)
    if unknown:
        return f"undeclared query parameters {unknown}"
    request = _SpecRequest(method, path, raw, headers.get("content-type", ""))
    request.parameters = RequestParameters(query=ImmutableMultiDict(pairs), header=Headers(dict(headers)))
    try:
        openapi().validate_request(request)
    except Exception as exc:  # noqa: BLE001 - any validation error is the finding
        return f"{type(exc).__name__}: {exc}"[:2000]
    return None


def check_response(
    method: str, template: str, path: str, status: int, body: Any, headers: Mapping[str, str], raw: bytes
) -> str | None:
    """Why the answer breaks the description, or None; undeclared statuses are checked against basic-error."""
    from openapi_schema_validator import OAS30Validator

    if str(status) not in _declared(template, method)["responses"]:
        errors = list(OAS30Validator(spec()["components"]["schemas"]["basic-error"]).iter_errors(body))
        return f"{status} body is not a basic-error: {errors[0].message}" if errors else None
    request = _SpecRequest(method, path, b"", "")
    try:
        openapi().validate_response(request, _SpecResponse(status, raw, headers))
    except Exception as exc:  # noqa: BLE001 - any validation error is the finding
        return f"{type(exc).__name__}: {exc}"[:2000]
    return None


class _SpecRequest:
    """openapi-core's Request protocol, with the spec's host so its ``servers`` entry matches."""

    def __init__(self, method: str, path: str, body: bytes, content_type: str) -> None:
        from openapi_core.datatypes import RequestParameters

        self.host_url, self.path, self.method = SPEC_HOST, path, method.lower()
        self.body = body or None
        self.content_type = content_type.lower()
        self.parameters = RequestParameters()


class _SpecResponse:
    def __init__(self, status: int, data: bytes, headers: Mapping[str, str]) -> None:
        from werkzeug.datastructures import Headers

        self.status_code, self.data = status, data
        self.headers = Headers(dict(headers))
        self.content_type = "application/json; charset=utf-8" if data else ""
