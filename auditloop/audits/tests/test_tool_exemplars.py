"""The shipped library of exemplar audit tools, and adopting one as a draft."""

from __future__ import annotations

import re

from django.urls import reverse

from auditloop.audits.models import AuditTool, ToolVersion
from auditloop.audits.selectors.tool_files import exemplar_by_slug, exemplars_for_list
from auditloop.audits.selectors.tools import tool_version_problems
from auditloop.audits.services.tool_files import exemplar_adopt
from auditloop.testing import Personas


def test_the_library_ships_at_least_four_exemplars_beyond_the_defaults_each_a_valid_file(
    db: None,
) -> None:
    exemplars = exemplars_for_list()

    assert len(exemplars) >= 4
    assert {e.name for e in exemplars}.isdisjoint({"Compliance dip sample", "Quality deep dive"})
    for exemplar in exemplars:
        assert exemplar.document.problems == [], exemplar.slug
        assert exemplar.question_count >= 5, exemplar.slug


def test_every_exemplar_cites_its_sources_and_every_reference_names_one_it_lists(
    db: None,
) -> None:
    for exemplar in exemplars_for_list():
        refs = {s["ref"] for s in exemplar.sources}
        assert len(refs) >= 2, exemplar.slug
        cited = {
            ref
            for section in exemplar.sections
            for q in section["questions"]
            for ref in re.findall(r"\[(\d+)\]", q["basis"])
        }
        assert cited, exemplar.slug
        assert cited <= refs, (exemplar.slug, cited - refs)


def test_a_lead_adopts_an_exemplar_as_a_draft_ready_to_change_and_publish(p: Personas) -> None:
    exemplar = exemplar_by_slug("neglect")
    assert exemplar is not None

    done = exemplar_adopt(exemplar=exemplar, by=p.moderator)

    assert done.created
    assert done.version.tool.name == "Thematic audit: neglect"
    assert not done.version.is_published
    assert tool_version_problems(done.version) == []
    assert "Growing up neglected" in done.version.lead_note
    assert done.version.guidance.startswith("Read the file over at least the last twelve months")


def test_adopting_the_same_exemplar_twice_changes_nothing_more(p: Personas) -> None:
    exemplar = exemplar_by_slug("pathway-plans")
    assert exemplar is not None
    first = exemplar_adopt(exemplar=exemplar, by=p.moderator)

    again = exemplar_by_slug("pathway-plans")
    assert again is not None
    second = exemplar_adopt(exemplar=again, by=p.moderator)

    assert not second.created
    assert second.version == first.version
    assert ToolVersion.objects.filter(tool__name=exemplar.name).count() == 1


def test_the_library_page_lists_the_exemplars_for_auditors_and_only_leads_adopt(
    p: Personas,
) -> None:
    page = p.client_for(p.auditor).get(reverse("audits:tool_exemplars"))
    adopt = reverse("audits:tool_exemplar_adopt", kwargs={"slug": "exploitation"})

    assert page.status_code == 200
    assert "Thematic audit: child exploitation" in page.content.decode()
    assert adopt not in page.content.decode()
    assert p.client_for(p.auditor).post(adopt).status_code == 403
    response = p.client_for(p.moderator).post(adopt)
    tool = AuditTool.objects.get(name="Thematic audit: child exploitation")
    assert response["Location"] == reverse(
        "audits:tool_version", kwargs={"public_id": tool.versions.get().public_id}
    )


def test_an_exemplar_that_does_not_exist_is_not_found(p: Personas) -> None:
    adopt = reverse("audits:tool_exemplar_adopt", kwargs={"slug": "no-such-tool"})

    assert p.client_for(p.moderator).post(adopt).status_code == 404
