"""A read rule as the union of its parts, so that the database can use an index for each.

A rule like "its auditor, its practitioner once submitted, anyone who took part, the team's
manager" written as one `Q` is an OR across columns, joined tables and EXISTS checks. No index
answers an OR across tables, so PostgreSQL reads the whole table and tests every row: at
national scale (200,000 audits, 220,000 actions) that is seconds for a page of fifty.

Written as parts, each of which starts from something an index finds (an auditor's id, a
team's id, the participations of one person), the rule is `pk IN (part 1 UNION ALL part 2
...)`: each part reads only its own rows by its index, and the table is then read by primary
key. The rule is still one `Q`, stated once, usable anywhere a `Q` is (filters, `Exists`,
`When`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, Q, QuerySet


def any_of_parts(model: type[Model], parts: Sequence[Q], *, wide: Sequence[Q] = ()) -> Q:
    """The rows of `model` that any of `parts` or `wide` admits, as one `Q`: the union of one
    `SELECT pk` per part (no rows for none), or any of `wide`. Each part is a `Q` on `model`
    (an `OuterRef("pk")` inside one refers to that part's own row).

    `wide`: parts that admit a large share of the table (a whole service's rows, for those who
    look across it). They stay plain conditions beside the union: there the database reads the
    table in the list's order and stops at the first page, where a union would first gather
    the ids of most of the table (three times slower for an audit lead, measured)."""
    rule = Q(pk__in=[])
    if parts:
        keys = [model._default_manager.filter(part).values("pk").order_by() for part in parts]
        rule = Q(pk__in=keys[0].union(*keys[1:], all=True) if len(keys) > 1 else keys[0])
    for part in wide:
        rule |= part
    return rule


def any_of_parts_for_one_row(parts: Sequence[Q], *, wide: Sequence[Q] = ()) -> Q:
    """The same rule as `any_of_parts`, for a look-up of one row by its key (an object's own
    page): a plain OR of the parts. There the database finds the row by its index first and
    tests each part on that row alone, where the union would first gather every row each
    part admits (a team's audits for its manager) to find one in them, and the union's
    subqueries cost more to compile than the page's whole kept part costs to show.

    Not for lists: an OR across tables reads the whole table (see the module's words)."""
    rule = Q(pk__in=[])
    for part in (*parts, *wide):
        rule |= part
    return rule


def readable_key(rows: QuerySet[Any]) -> Any:
    """The key of the row `rows` admits (a get-for-user helper's read rule and look-up by
    public id), raising the model's DoesNotExist if none: asked on its own, before the
    helper loads the row with its relations by that key. In one statement PostgreSQL plans
    the rule's subqueries together with a dozen joined tables: 30-60 ms of planning for an
    audit's page on the national council, against 3-8 ms for the rule alone and 5-9 ms for
    the load by key, each run in about a millisecond."""
    key = rows.order_by().values_list("pk", flat=True).first()
    if key is None:
        raise rows.model.DoesNotExist
    return key
