from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports: each role's dashboard, the six-month cycle review (page, PDF and Word; the
    committee's version anonymised), the inspection pack for Ofsted, and the aggregates behind
    them for the council's BI tools."""

    name = "auditloop.reports"
    label = "reports"
