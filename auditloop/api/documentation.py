"""The API's documentation page, read from its OpenAPI schema: each endpoint with its
parameters, and each kind of object it returns with its fields, in plain words.

Built from the schema the API itself serves, so the page cannot drift from the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REF_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "query" or "path"
    kind: str  # what the value must be, in words
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class Property:
    name: str
    kind: str
    always_present: bool
    can_be_empty: bool
    description: str = ""
    shape: str = ""  # the object it holds, if any, for a link to its description

    @property
    def shape_anchor(self) -> str:
        return shape_anchor(self.shape) if self.shape else ""


def shape_anchor(name: str) -> str:
    return f"object-{name.lower()}"


@dataclass(frozen=True)
class Shape:
    """One kind of object the API returns."""

    name: str
    properties: list[Property]

    @property
    def anchor(self) -> str:
        return shape_anchor(self.name)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    parameters: list[Parameter]
    returns: str
    returns_shape: str = ""  # the object it returns (or a list of), for a link

    @property
    def returns_anchor(self) -> str:
        return shape_anchor(self.returns_shape) if self.returns_shape else ""

    @property
    def anchor(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in self.path.lower()).strip("-")
        return f"{self.method.lower()}-{slug}"


@dataclass
class ApiDocumentation:
    title: str
    version: str
    endpoints: list[Endpoint]
    shapes: list[Shape] = field(default_factory=list)


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return ref.removeprefix(REF_PREFIX)
    return None


def _without_null(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema with a `null` alternative taken out, and whether there was one."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema, False
    rest = [o for o in options if o.get("type") != "null"]
    if len(rest) == 1 and len(rest) < len(options):
        return {**rest[0], **{k: v for k, v in schema.items() if k != "anyOf"}}, True
    return schema, False


def _number_words(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"whole number from {low:,} to {high:,}"
    if low is not None:
        return f"whole number, {low:,} or more"
    return "whole number"


STRING_FORMATS = {
    "date": "date, written YYYY-MM-DD",
    "date-time": "date and time (ISO 8601)",
    "uuid": "identifier (UUID)",
}


def kind_in_words(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """What a value of this schema is, as a person would say it."""
    schema, _ = _without_null(schema)
    name = _ref_name(schema)
    if name is not None:
        target = components.get(name, {})
        if "enum" in target:
            return kind_in_words(target, components)
        return f"{name} object"
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return _number_words(schema)
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        return STRING_FORMATS.get(str(schema.get("format", "")), "text")
    if kind == "array":
        return "list of " + _plural(kind_in_words(schema.get("items", {}), components))
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            return "names, each with " + kind_in_words(values, components)
        return "object"
    return "any value"


def _plural(words: str) -> str:
    if words.endswith(" object"):
        return words + "s"
    return words


def _parameter(raw: dict[str, Any], components: dict[str, Any]) -> Parameter:
    schema = raw.get("schema", {})
    default = schema.get("default")
    return Parameter(
        name=str(raw.get("name", "")),
        where=str(raw.get("in", "query")),
        kind=kind_in_words(schema, components),
        required=bool(raw.get("required", False)),
        default="" if default is None else str(default).lower(),
        description=str(raw.get("description") or schema.get("description") or ""),
    )


def _response_schema(operation: dict[str, Any]) -> dict[str, Any]:
    responses = operation.get("responses", {})
    # Status codes are strings in the JSON and may be numbers in the schema as built.
    ok = responses.get("200") or responses.get(200) or {}
    schema: dict[str, Any] = ok.get("content", {}).get("application/json", {}).get("schema", {})
    return schema


def _refs_in(schema: Any) -> list[str]:
    """Every component named anywhere inside `schema`, in the order met."""
    found: list[str] = []
    if isinstance(schema, dict):
        name = _ref_name(schema)
        if name is not None:
            found.append(name)
        for value in schema.values():
            found.extend(_refs_in(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_refs_in(value))
    return found


def _object_named(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """The object (not a list of choices) `schema` holds or lists, or ""."""
    for name in _refs_in(schema):
        if "properties" in components.get(name, {}):
            return name
    return ""


def _shape(name: str, schema: dict[str, Any], components: dict[str, Any]) -> Shape:
    required = set(schema.get("required", []))
    properties = []
    for prop_name, prop in schema.get("properties", {}).items():
        _, nullable = _without_null(prop)
        properties.append(
            Property(
                name=prop_name,
                kind=kind_in_words(prop, components),
                always_present=prop_name in required,
                can_be_empty=nullable,
                description=str(prop.get("description", "")),
                shape=_object_named(prop, components),
            )
        )
    return Shape(name=name, properties=properties)


def documentation_from_schema(schema: dict[str, Any]) -> ApiDocumentation:
    """The endpoints of an OpenAPI schema, and every object their answers hold (followed
    through nested objects), each described once."""
    components: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    endpoints: list[Endpoint] = []
    wanted: list[str] = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            response = _response_schema(operation)
            endpoints.append(
                Endpoint(
                    method=method.upper(),
                    path=path,
                    summary=str(operation.get("summary", "")),
                    parameters=[_parameter(p, components) for p in operation.get("parameters", [])],
                    returns=kind_in_words(response, components) if response else "",
                    returns_shape=_object_named(response, components),
                )
            )
            wanted.extend(_refs_in(response))
    shapes: list[Shape] = []
    seen: set[str] = set()
    while wanted:
        name = wanted.pop(0)
        target = components.get(name)
        if name in seen or not isinstance(target, dict) or "properties" not in target:
            continue
        seen.add(name)
        shapes.append(_shape(name, target, components))
        wanted.extend(_refs_in(target.get("properties", {})))
    info = schema.get("info", {})
    return ApiDocumentation(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        endpoints=endpoints,
        shapes=shapes,
    )
