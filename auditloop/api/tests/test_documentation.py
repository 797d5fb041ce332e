"""The API documentation: a page of the product, reached from the API tokens page, made from
the OpenAPI schema the API serves, with the schema itself to download."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.api.api import api
from auditloop.api.documentation import documentation_from_schema, kind_in_words
from auditloop.testing import Personas

DOCS = "/api/v1/docs"


def test_every_member_of_staff_reads_the_documentation(p: Personas) -> None:
    for role, staff in p.all_roles().items():
        response = p.client_for(staff).get(DOCS)
        assert response.status_code == 200, role
        body = response.content.decode()
        assert '<h1 class="govuk-heading-l">API documentation</h1>' in body
        assert f'href="{reverse("api_tokens:list")}" class="govuk-back-link"' in body


def test_a_signed_out_visitor_is_sent_to_sign_in(anon: Client) -> None:
    response = anon.get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_describes_every_endpoint_the_schema_has(p: Personas) -> None:
    body = p.client_for(p.auditor).get(DOCS).content.decode()
    paths = api.get_openapi_schema()["paths"]
    assert len(paths) >= 5
    for path in paths:
        assert f"<code>GET {path}</code>" in body
    assert "Whole number from 1 to 500" in body
    assert "Whole number from 0 to 1,000,000,000" in body
    assert "One of planned, in_progress, submitted, completed" in body
    assert "List of AuditOut objects" in body
    assert 'govuk-table__caption--m">AuditOut</caption>' in body
    assert '<a class="govuk-link" href="#object-auditout">List of AuditOut objects</a>' in body
    assert "never the LA child ID" in body


def test_the_page_explains_the_dashboard_figures_and_how_small_groups_are_withheld(
    p: Personas,
) -> None:
    body = p.client_for(p.team_manager).get(DOCS).content.decode()
    assert 'id="dashboard-figures"' in body
    for endpoint in (
        "GET /api/v1/dashboard/cycles",
        "GET /api/v1/dashboard?cycle=",
        "GET /api/v1/dashboard/blocks/<var>key</var>",
        "GET /api/v1/cycle-reviews",
    ):
        assert f"<code>{endpoint}" in body, endpoint
    assert "Where fewer than 5 audits stand behind a figure" in body
    assert "<code>number</code> is null, never 0" in body
    # And each endpoint, with what its answer holds, from the schema.
    assert '<a class="govuk-link" href="#object-dashboardout">DashboardOut object</a>' in body
    assert 'govuk-table__caption--m">CellOut</caption>' in body


def test_the_schema_is_there_to_download(p: Personas) -> None:
    client = p.client_for(p.board_member)
    body = client.get(DOCS).content.decode()
    schema_url = reverse("api:openapi-json")
    assert f'href="{schema_url}" download="auditloop-openapi.json"' in body
    schema = client.get(schema_url)
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "auditloop API"


@pytest.mark.parametrize("role", ["practitioner", "board_member", "auditor"])
def test_the_footer_no_longer_offers_the_documentation(p: Personas, role: str) -> None:
    body = p.client_for(getattr(p, role)).get(reverse("home")).content.decode()
    assert "API documentation" not in body
    assert DOCS not in body


def test_the_api_tokens_page_links_to_the_documentation(p: Personas) -> None:
    body = p.client_for(p.practitioner).get(reverse("api_tokens:list")).content.decode()
    assert f'href="{reverse("api:docs")}"' in body


def test_the_old_swagger_page_is_gone(p: Personas) -> None:
    body = p.client_for(p.moderator).get(DOCS).content.decode()
    assert "swagger" not in body.lower()


COMPONENTS: dict[str, Any] = {
    "Colour": {"enum": ["red", "green"], "type": "string"},
    "Thing": {
        "type": "object",
        "required": ["id", "size"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "size": {"type": "integer", "minimum": 0},
            "colour": {"anyOf": [{"$ref": "#/components/schemas/Colour"}, {"type": "null"}]},
            "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
        },
    },
    "Part": {"type": "object", "properties": {"when": {"type": "string", "format": "date"}}},
    "Unused": {"type": "object", "properties": {"x": {"type": "boolean"}}},
}


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 500}, "whole number from 1 to 500"),
        ({"type": "integer", "minimum": 0}, "whole number, 0 or more"),
        ({"type": "boolean"}, "true or false"),
        ({"type": "string", "format": "date"}, "date, written YYYY-MM-DD"),
        ({"type": "string", "format": "date-time"}, "date and time (ISO 8601)"),
        ({"type": "string"}, "text"),
        ({"$ref": "#/components/schemas/Colour"}, "one of red, green"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "text"),
        (
            {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
            "list of Thing objects",
        ),
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            "names, each with text",
        ),
    ],
)
def test_a_schema_is_put_in_words(schema: dict[str, Any], words: str) -> None:
    assert kind_in_words(schema, COMPONENTS) == words


def test_the_objects_described_are_those_the_answers_hold_followed_through() -> None:
    schema = {
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "summary": "Things",
                    "parameters": [
                        {
                            "in": "query",
                            "name": "limit",
                            "required": False,
                            "schema": {"type": "integer", "default": 100},
                            "description": "How many.",
                        }
                    ],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Thing"},
                                    }
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {"schemas": COMPONENTS},
    }
    docs = documentation_from_schema(schema)
    (endpoint,) = docs.endpoints
    assert (endpoint.method, endpoint.path, endpoint.returns) == (
        "GET",
        "/things",
        "list of Thing objects",
    )
    assert endpoint.parameters[0].default == "100"
    assert endpoint.anchor == "get-things"
    assert [s.name for s in docs.shapes] == ["Thing", "Part"]
    thing = docs.shapes[0]
    colour = next(prop for prop in thing.properties if prop.name == "colour")
    assert colour.kind == "one of red, green" and colour.can_be_empty
    assert [prop.name for prop in thing.properties if prop.always_present] == ["id", "size"]
