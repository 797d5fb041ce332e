"""One page of a long list. Paginator asks two questions (a count, the page), whatever the size."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, rows: QuerySet[Any], *, per_page: int = 50) -> Page[Any]:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))
