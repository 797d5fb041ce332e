"""`{% fixed_url 'name' %}`: `{% url 'name' %}` for a route without arguments, reversed once
per process; `{% fixed_static 'path' %}`: `{% static 'path' %}`, worked out once per process
(`auditloop.core.addresses`). The layout's links and files use them."""

from __future__ import annotations

from django import template

from auditloop.core.addresses import fixed_static as _fixed_static
from auditloop.core.addresses import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _fixed_url(name)


@register.simple_tag
def fixed_static(path: str) -> str:
    return _fixed_static(path)
