"""`{% fixed_url 'name' %}`: `{% url 'name' %}` for a route without arguments, reversed once
per process (`auditloop.core.addresses`); the layout's links use it."""

from __future__ import annotations

from django import template

from auditloop.core.addresses import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _fixed_url(name)
