"""One page of a long list. Paginator asks two questions (a count, the page), whatever the size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, rows: QuerySet[Any], *, per_page: int = 50) -> Page[Any]:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def page_of_keys[M: Model](
    request: HttpRequest,
    keys: QuerySet[M],
    rows_of: Callable[[list[Any]], QuerySet[M]],
    *,
    order: Sequence[str],
    per_page: int = 50,
) -> Page[M]:
    """One page of a long list whose rows join other large tables, in three queries however
    long the list: the count of `keys`, the page's keys, then `rows_of(those keys)` in
    `order`.

    `keys` is the list, filtered by who may read what, without the joins and annotations a
    row shows; `rows_of` is given the page's primary keys and adds them. Asked for a page of
    rows joined to, say, the case table, PostgreSQL may hash the whole case table to find
    fifty of them (even with the keys as a subquery); given fifty keys, it fetches the fifty
    cases by key."""
    ordered = keys.order_by(*order).values_list("pk", flat=True)
    page: Page[Any] = Paginator(ordered, per_page).get_page(request.GET.get("page"))
    page.object_list = list(rows_of(list(page.object_list)).order_by(*order))
    return page
