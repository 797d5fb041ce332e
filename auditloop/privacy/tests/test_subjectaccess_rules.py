"""The pure rules of subject access: which redactions are undone, the JSON's labels, the
download's name."""

from __future__ import annotations

from dataclasses import dataclass

from auditloop.privacy.rules.subjectaccess import (
    SubjectKind,
    document_sections,
    export_filename,
    label_for,
    third_parties_redacted,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    placeholder: str


def test_a_third_partys_name_is_replaced_and_a_staff_members_left_as_written() -> None:
    text = "Pat Smith met Sharon Jones."
    spans = [Span(0, 9, "staff", "[social worker]"), Span(14, 26, "person", "[person]")]
    assert third_parties_redacted(text, spans) == "Pat Smith met [person]."


def test_every_kind_of_span_can_be_redacted_when_nothing_is_kept() -> None:
    text = "Pat Smith met Sharon Jones."
    spans = [Span(0, 9, "staff", "[social worker]"), Span(14, 26, "person", "[person]")]
    assert third_parties_redacted(text, spans, kept_labels=frozenset()) == (
        "[social worker] met [person]."
    )


def test_keys_read_as_labels_with_their_acronyms() -> None:
    assert label_for("la_child_id") == "LA child ID"
    assert label_for("swe_number") == "SWE number"
    assert label_for("audits") == "Audits"


def test_the_document_holds_every_section_but_the_header_in_the_jsons_order() -> None:
    data = {
        "format": "x",
        "version": 1,
        "kind": "child",
        "produced_at": "2026-01-01",
        "produced_by": "Dee",
        "case": {"la_child_id": "A1", "is_open": True},
        "audits": [{"reference": "AB12", "answers": [{"grade": "Good"}]}],
        "events": [],
    }
    sections = document_sections(data)
    assert [s.title for s in sections] == ["Case", "Audits", "Events"]
    assert sections[0].records[0].rows == [("LA child ID", "A1"), ("Is open", "Yes")]
    [audit] = sections[1].records
    assert audit.rows == [("Reference", "AB12")]
    assert audit.sections[0].records[0].rows == [("Grade", "Good")]
    assert sections[2].is_empty


def test_the_download_is_named_by_the_public_id_and_day_never_the_child() -> None:
    name = export_filename(kind=SubjectKind.CHILD, public_id="0a1b2c3d4e5f", on="2026-11-30")
    assert name == "subject-access-child-0a1b2c3d-2026-11-30.zip"
