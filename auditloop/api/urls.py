from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from auditloop.api import views
from auditloop.api.api import api
from auditloop.core.access import mark_decision


def _api_patterns() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            # The API authenticates each call itself (token or session) and answers through
            # the same scoped selectors and get-for-user helpers as the pages.
            mark_decision(pattern.callback, "api: token or session; scoped selectors")
    # The documentation is a page of the product, at the address the API's own docs had.
    patterns = [*patterns, path("docs", views.api_documentation, name="docs")]
    return patterns, app_name, namespace


api_urls = _api_patterns()

token_urlpatterns = (
    [
        path("", views.token_list, name="list"),
        path("<uuid:public_id>/revoke/", views.token_revoke, name="revoke"),
    ],
    "api_tokens",
)
