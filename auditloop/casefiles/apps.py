from __future__ import annotations

from django.apps import AppConfig


class CaseFilesConfig(AppConfig):
    """The case files' pages, above `cases` and `audits` (their templates keep the names
    cases/...)."""

    name = "auditloop.casefiles"
    label = "casefiles"
