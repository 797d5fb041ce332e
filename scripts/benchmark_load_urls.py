"""The URL conf of `benchmark_load_site`: every product page, and the bare baseline page.

The bare page is one query and one template, through the same middleware, server and
database as the product's pages, and asks for no sign-in: what any Django page costs here,
against which the signed-in pages are compared. It shows nothing about a child.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from auditloop.accounts.models import Service
from config.urls import urlpatterns as product_urlpatterns

BARE_PATH = "benchmark/bare/"

_TEMPLATE = engines["django"].from_string(
    '<!DOCTYPE html>\n<html lang="en-GB"><head><title>Bare page</title></head><body>'
    "<h1>Bare page</h1><p>{{ services }} services.</p></body></html>\n"
)


def bare(request: HttpRequest) -> HttpResponse:
    """One query (a count of the services) and one template."""
    return HttpResponse(_TEMPLATE.render({"services": Service.objects.count()}, request))


urlpatterns = [path(BARE_PATH, bare, name="benchmark_bare"), *product_urlpatterns]
