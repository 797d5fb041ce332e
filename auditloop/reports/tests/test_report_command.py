"""`auditloop report cycle`: each format written to a file that opens, the committee's unless
the leaders' is asked for, and clear refusals with exit status 2."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from auditloop.learning.tests.briefing_reading import docx_text
from auditloop.reports.management.commands import report
from auditloop.reports.tests.review_factories import ReviewCouncil, review_council
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("report", "cycle", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def council(p: Personas) -> ReviewCouncil:
    return review_council(p)


def test_the_command_writes_the_committee_html_by_default(
    council: ReviewCouncil, tmp_path: Path
) -> None:
    out = tmp_path / "review.html"
    code, said, err = run(
        "--cycle", str(council.cycle.public_id), "--format", "html", "--out", str(out)
    )
    assert (code, err) == (0, "")
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "Committee (anonymised)" in page
    assert "Kestrelmoor" not in page
    assert "committee's anonymised version" in said
    assert "April to September 2026" in said and str(out) in said


def test_the_command_writes_a_pdf_that_starts_as_one(
    council: ReviewCouncil, tmp_path: Path
) -> None:
    out = tmp_path / "review.pdf"
    code, _, err = run(
        "--cycle", str(council.cycle.public_id), "--format", "pdf", "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert out.read_bytes().startswith(b"%PDF-")


def test_the_command_writes_the_leaders_word_document_when_asked(
    council: ReviewCouncil, tmp_path: Path
) -> None:
    out = tmp_path / "review.docx"
    code, _, err = run(
        "--cycle",
        str(council.cycle.public_id),
        "--format",
        "docx",
        "--out",
        str(out),
        "--audience",
        "leaders",
    )
    assert (code, err) == (0, "")
    document = Document(str(out))
    assert document.paragraphs
    assert "Kestrelmoor" in docx_text(out.read_bytes())


def on(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    monkeypatch.setattr(report, "today", lambda: day)


def test_latest_is_the_cycle_that_ended_most_recently(
    council: ReviewCouncil, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "review.html"
    # On 1 December 2026 the April cycle has ended; the October cycle is running.
    on(monkeypatch, datetime.date(2026, 12, 1))
    code, said, err = run("--cycle", "latest", "--format", "html", "--out", str(out))
    assert (code, err) == (0, "")
    assert "April to September 2026" in said
    # On its last day it has not ended yet: the cycle before it is the latest.
    on(monkeypatch, datetime.date(2026, 9, 29))
    code, said, err = run("--cycle", "latest", "--format", "html", "--out", str(out))
    assert "October 2025 to March 2026" in said


def test_latest_with_no_cycle_ended_is_refused(
    p: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Cycle.objects.create(
        name="Running", starts_on=datetime.date(2026, 10, 1), ends_on=datetime.date(2027, 3, 31)
    )
    on(monkeypatch, datetime.date(2026, 12, 1))
    code, _, err = run("--cycle", "latest", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert code == 2
    assert "no cycle has ended yet" in err
    assert not (tmp_path / "r.pdf").exists()


def test_an_unknown_cycle_is_refused_with_the_latest_cycles_listed(
    council: ReviewCouncil, tmp_path: Path
) -> None:
    code, _, err = run(
        "--cycle", "not-a-cycle", "--format", "html", "--out", str(tmp_path / "r.html")
    )
    assert code == 2
    assert "no cycle has this id" in err
    assert str(council.cycle.public_id) in err


def test_a_cycle_may_be_given_by_its_exact_name(council: ReviewCouncil, tmp_path: Path) -> None:
    code, said, _ = run(
        "--cycle", "april to september 2026", "--format", "html", "--out", str(tmp_path / "r.html")
    )
    assert code == 0
    assert "April to September 2026" in said


def test_a_format_it_cannot_write_is_refused(council: ReviewCouncil, tmp_path: Path) -> None:
    code, _, err = run("--cycle", "latest", "--format", "odt", "--out", str(tmp_path / "r.odt"))
    assert code == 2
    assert "choose one of html, pdf, docx" in err


def test_an_audience_it_does_not_know_is_refused(council: ReviewCouncil, tmp_path: Path) -> None:
    code, _, err = run(
        "--cycle",
        "latest",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "r.pdf"),
        "--audience",
        "public",
    )
    assert code == 2
    assert "choose one of committee, leaders" in err


@pytest.mark.parametrize("where", ["missing/review.pdf", ".", "a-file/review.pdf"])
def test_a_path_it_cannot_write_is_refused_before_building(
    council: ReviewCouncil, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    code, _, err = run(
        "--cycle", str(council.cycle.public_id), "--format", "pdf", "--out", str(tmp_path / where)
    )
    assert code == 2
    assert "--out" in err
