"""The OpenAPI schema declares every answer an endpoint gives, refusals included, so that a
BI tool (or a generated client) reading the schema knows what a refused call looks like."""

from __future__ import annotations

from typing import Any

import pytest

from auditloop.api.api import api

OPERATIONS = [
    (path, operation)
    for path, methods in api.get_openapi_schema()["paths"].items()
    for operation in methods.values()
]


def _body_schema(operation: dict[str, Any], status: str) -> str:
    # Status codes are numbers in the schema as built, strings once served as JSON.
    responses = {str(code): answer for code, answer in operation["responses"].items()}
    content = responses[status]["content"]["application/json"]["schema"]
    return str(content.get("$ref", "")).rsplit("/", 1)[-1]


@pytest.mark.parametrize(("path", "operation"), OPERATIONS, ids=[p for p, _ in OPERATIONS])
def test_every_endpoint_declares_the_refusals_it_gives(
    path: str, operation: dict[str, Any]
) -> None:
    responses = {str(status) for status in operation["responses"]}
    # Without a working token; as a login the role or the staff record does not admit.
    assert {"200", "401", "403"} <= responses, path
    assert _body_schema(operation, "401") == _body_schema(operation, "403") == "ErrorOut"
    where = {parameter["in"] for parameter in operation.get("parameters", [])}
    if "query" in where:
        assert "400" in responses, path
        assert _body_schema(operation, "400") == "BadRequestOut"
    if "path" in where:
        assert "404" in responses, path
        assert _body_schema(operation, "404") == "ErrorOut"


def test_a_refusal_for_a_parameter_is_described_field_by_field() -> None:
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert set(schemas["BadRequestOut"]["required"]) == {"detail", "errors"}
    assert set(schemas["ParameterProblem"]["properties"]) == {"parameter", "message"}
