from __future__ import annotations

import pytest

from auditloop.reports import documents


@pytest.fixture
def review_not_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo issues its cycle review as a PDF: laying it out takes seconds (more than the
    rest of a tenth of the council), and the PDF's own tests check it. For a test that builds
    the council for something else, it is enough that the review was issued."""
    monkeypatch.setattr(documents, "review_pdf", lambda review: b"%PDF-1.7\n")
