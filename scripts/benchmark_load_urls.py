"""The URL conf of `benchmark_load_site`: every product page, the bare baseline page and the
signed-in floor.

The bare page is one query and one template, through the same middleware, server and
database as the product's pages, and asks for no sign-in: what any Django page costs here,
against which the signed-in pages are compared. It shows nothing about a child.

The floor is the same query in the product's layout, behind the same access decision as a
home page (`any_staff`): the session, the login and its member of staff, the layout's header,
menu and notification count. No signed-in page can cost less, so it splits a signed-in page's
cost into what signing in and the layout cost and what the page's own work costs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from auditloop.accounts.access import any_staff
from auditloop.accounts.models import Service
from config.urls import urlpatterns as product_urlpatterns

BARE_PATH = "benchmark/bare/"
FLOOR_PATH = "benchmark/floor/"

_TEMPLATE = engines["django"].from_string(
    '<!DOCTYPE html>\n<html lang="en-GB"><head><title>Bare page</title></head><body>'
    "<h1>Bare page</h1><p>{{ services }} services.</p></body></html>\n"
)


def bare(request: HttpRequest) -> HttpResponse:
    """One query (a count of the services) and one template."""
    return HttpResponse(_TEMPLATE.render({"services": Service.objects.count()}, request))


_FLOOR = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Signed-in floor{% endblock %}'
    '{% block content %}<h1 class="govuk-heading-l">Signed-in floor</h1>'
    '<p class="govuk-body">{{ services }} services.</p>{% endblock %}'
)


@any_staff
def floor(request: HttpRequest) -> HttpResponse:
    """The bare page's query in the product's layout, for any member of staff."""
    return HttpResponse(_FLOOR.render({"services": Service.objects.count()}, request))


urlpatterns = [
    path(BARE_PATH, bare, name="benchmark_bare"),
    path(FLOOR_PATH, floor, name="benchmark_floor"),
    *product_urlpatterns,
]
