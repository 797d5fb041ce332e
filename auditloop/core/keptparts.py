"""Parts of pages kept for their reader under the data version: a home page's lists, a list
page's table, the read-only parts of an audit's own page between its forms (`parts_kept`).

A kept part is HTML drawn from the database alone, for one reader: never a form, a CSRF token
or anything else of the request but its query string (forms are drawn on every request, around
the part). It is kept as the dashboards' figures are (`figures_cached`): under the reader's
own id, the part's name, its parameters (the query string), today's date and the data version,
so any committed change to what it shows draws it afresh, and two readers never share one.

Every child's audit or case file the part names was logged as read when it was drawn
(`access_shown`); the reads are kept with the HTML and logged again, now, on every show
(`access_reshown`), so the access log holds the same rows whether the part was kept or not.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template import Context, Engine
from django.utils.safestring import SafeString, mark_safe

from auditloop.core.accesslog import ShownRead, access_reshown, reads_recorded
from auditloop.core.dataversion import figures_cached

# What a form's hidden token is called: a part holding one would show the first reader's token
# to every later show.
_TOKEN_FIELD = "csrfmiddlewaretoken"  # noqa: S105 (a field name, not a secret)


@dataclass(frozen=True)
class KeptParts:
    """A kept draw: its HTML by name (one for `part_kept`, several for `parts_kept`) and the
    reads drawing it recorded."""

    html: dict[str, SafeString]
    reads: tuple[ShownRead, ...]


def part_rendered(template_name: str, context: dict[str, Any], *, request: HttpRequest) -> str:
    """`template_name` drawn with `context` alone: not the context processors (the layout's,
    run once for the page around it). `{% querystring %}` still reads the request's query."""
    template = Engine.get_default().get_template(template_name)
    drawn = Context(context)
    drawn.request = request  # type: ignore[attr-defined]
    return template.render(drawn)


def part_kept(
    name: str,
    *,
    request: HttpRequest,
    params: Sequence[Hashable] = (),
    draw: Callable[[], str],
) -> SafeString:
    """The HTML `draw()` returns for the signed-in reader of `request`, kept for them under
    `name`, `params`, the query string, today's date and the data version; the children's
    records it names are logged as read on this show as on every other."""
    return parts_kept(name, request=request, params=params, draw=lambda: {"": draw()})[""]


def parts_kept(
    name: str,
    *,
    request: HttpRequest,
    params: Sequence[Hashable] = (),
    draw: Callable[[], dict[str, str]],
) -> dict[str, SafeString]:
    """As `part_kept`, for a page whose read-only parts lie between its forms: `draw()` returns
    each part's HTML by name, drawn together (one look-up of the data version, one entry kept),
    and the page puts its forms, drawn on every request, between them."""
    user = request.user

    def drawn() -> KeptParts:
        reads: list[ShownRead] = []
        try:
            with reads_recorded() as recorded:
                reads = recorded
                html = draw()
        finally:
            # Fetched for the reader, so read, even if drawing it failed.
            if reads:
                access_reshown(user=user, reads=reads)
        for part, text in html.items():
            if _TOKEN_FIELD in text:
                raise ValueError(
                    f"The kept part {name!r}{f' ({part})' if part else ''} holds a form's "
                    "token: draw forms outside."
                )
        return KeptParts(
            html={part: mark_safe(text) for part, text in html.items()},  # noqa: S308
            reads=tuple(reads),
        )

    logged_already = False

    def compute() -> KeptParts:
        nonlocal logged_already
        logged_already = True
        return drawn()

    kept = figures_cached(
        f"part:{name}",
        reader_id=user.pk,
        params=(*params, request.META.get("QUERY_STRING", "")),
        compute=compute,
    )
    if not logged_already and kept.reads:
        access_reshown(user=user, reads=kept.reads)
    return kept.html
