"""The moderation blind holds on the revisits too. The moderator regrading a revisit blind sees
no change since the earlier audit (the change beside the earlier grade gives the revisit's
grade away); the moderator regrading the earlier audit blind sees none of its grades beside the
revisit, nor the change (its evidence and its compliance answers stay, as on its own page); and
the revisits page neither lists an audit hidden from the reader among the Inadequate ones to
revisit, nor shows a change, nor counts a pair in its figures, where either audit is hidden from
them. Another audit lead sees everything, and the moderator does once they have regraded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import Moderation
from auditloop.assurance.tests.regrade_factories import regraded, regrading
from auditloop.audits.models import Audit, ComplianceAnswer
from auditloop.audits.tests.audit_factories import second_lead
from auditloop.audits.tests.revisit_factories import (
    answered,
    earlier_audit,
    marked_submitted,
    revisit_of,
)
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

REVISITS = reverse("assurance:revisits")
EARLIER_EVIDENCE = "The last recorded visit is outside the required interval."
CHANGE = "Better by 2 grades (Inadequate, now Good)"


def _get(p: Personas, staff: StaffMember, url: str) -> str:
    response = p.client_for(staff).get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.content.decode())


def _page(p: Personas, staff: StaffMember, audit: Audit, name: str = "audits:detail") -> str:
    return _get(p, staff, reverse(name, args=[audit.public_id]))


def _pair(p: Personas) -> tuple[Audit, Audit]:
    """A quality deep dive graded Inadequate throughout, and its submitted revisit graded Good
    throughout."""
    earlier = earlier_audit(p, tool=p.quality_tool)
    revisit = revisit_of(p, earlier)
    answered(revisit, grade_code="good", overall="good")
    return earlier, marked_submitted(revisit)


def _moderated(p: Personas, which: str) -> tuple[Moderation, Audit]:
    """A pair whose `which` audit ("earlier" or "revisit") the moderator regrades blind, and
    the revisit."""
    earlier, revisit = _pair(p)
    return regrading(p, audit=earlier if which == "earlier" else revisit), revisit


# The revisit's own pages ---------------------------------------------------------------------


def test_the_moderator_regrading_a_revisit_blind_sees_no_change_since_the_earlier_audit(
    p: Personas,
) -> None:
    moderation, revisit = _moderated(p, "revisit")
    text = _page(p, p.moderator, revisit)
    assert "Change in the overall grade" not in text
    assert "now Good" not in text
    assert not re.search(r"Better|Worse|The same \(", text)
    assert '<th scope="col" class="govuk-table__header">Change</th>' not in text
    assert "You are moderating this revisit blind" in text
    # The earlier audit is not the one hidden from them: its answers stay beside each question.
    assert "Overall grade at the earlier audit" in text
    assert f"Working well: {EARLIER_EVIDENCE}" in text

    assert CHANGE in _page(p, second_lead(p), revisit)
    regraded(p, moderation=moderation)
    after = _page(p, p.moderator, revisit)
    assert CHANGE in after
    assert after.count("Better by 2 grades (Inadequate, now Good)") == 9  # overall and 8 domains


def test_the_moderator_regrading_the_earlier_audit_blind_sees_none_of_its_grades_by_the_revisit(
    p: Personas,
) -> None:
    moderation, revisit = _moderated(p, "earlier")
    text = _page(p, p.moderator, revisit)
    assert "Inadequate" not in text
    assert "Change in the overall grade" not in text
    assert not re.search(r"Better|Worse|The same \(", text)
    assert text.count("Grade hidden until you have regraded the earlier audit") == 8
    assert "Hidden until you have regraded the earlier audit" in text
    assert "You are moderating the earlier audit blind" in text
    # Its evidence is not blind: the moderator reads it on the earlier audit's page too.
    assert text.count(f"Working well: {EARLIER_EVIDENCE}") == 8
    # The revisit's own grades are not the ones hidden from them.
    assert '<strong class="govuk-tag">Good</strong>' in text

    assert CHANGE in _page(p, second_lead(p), revisit)
    regraded(p, moderation=moderation)
    assert CHANGE in _page(p, p.moderator, revisit)


def test_answering_a_revisit_of_an_audit_they_regrade_blind_shows_its_evidence_not_its_grades(
    p: Personas,
) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool)
    regrading(p, audit=earlier)
    revisit = revisit_of(p, earlier, auditor=p.moderator)
    text = _page(p, p.moderator, revisit, "audits:edit")
    insets = re.findall(r"D\d at the earlier audit:(.*?)</div>", text)
    assert len(insets) == 8
    for inset in insets:
        assert "Grade hidden until you have regraded the earlier audit" in inset
        assert EARLIER_EVIDENCE in inset
        assert "Inadequate" not in inset
    overall = text.split("Overall grade at the earlier audit:")[1].split("</div>")[0]
    assert "Hidden until you have regraded the earlier audit" in overall
    assert "Inadequate" not in overall
    assert "(its grades are hidden until you have regraded it)" in text
    assert "graded Inadequate overall" not in text


def test_an_earlier_dip_samples_compliance_answers_stay_beside_the_revisit_its_grade_does_not(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)  # every check No, Inadequate overall
    regrading(p, audit=earlier)
    revisit = revisit_of(p, earlier)
    answered(revisit, compliance=ComplianceAnswer.YES)
    marked_submitted(revisit)
    text = _page(p, p.moderator, revisit)
    assert text.count('<strong class="govuk-tag govuk-tag--red">No</strong>') == 15
    assert "Inadequate" not in text
    assert "Better (No, now Yes)" not in text
    assert "Hidden until you have regraded the earlier audit" in text


def test_scheduling_a_revisit_of_an_audit_regraded_blind_says_its_grade_is_hidden(
    p: Personas,
) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool)
    regrading(p, audit=earlier)
    text = _page(p, p.moderator, earlier, "assurance:revisit_schedule")
    overall = text.split("Overall grade</dt>")[1].split("</dd>")[0]
    assert "Hidden until you have regraded it" in overall
    assert "Not graded" not in overall  # it is graded: the grade is hidden, not missing
    assert "Inadequate" in _page(p, second_lead(p), earlier, "assurance:revisit_schedule")


# The revisits page ---------------------------------------------------------------------------


def test_an_inadequate_audit_hidden_from_the_reader_is_not_listed_to_revisit(
    p: Personas,
) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool)
    moderation = regrading(p, audit=earlier)
    url = f"{REVISITS}?show=unscheduled"
    text = _get(p, p.moderator, url)
    assert "0 Inadequate audits not yet revisited" in text
    assert p.case.la_child_id not in text
    assert str(earlier.public_id) not in text
    assert "Every audit graded Inadequate here has a revisit." in text

    other = _get(p, second_lead(p), url)
    assert "1 Inadequate audit not yet revisited" in other
    assert str(earlier.public_id) in other
    regraded(p, moderation=moderation)
    assert str(earlier.public_id) in _get(p, p.moderator, url)


@pytest.mark.parametrize("which", ["earlier", "revisit"])
def test_no_change_is_listed_where_either_audit_is_hidden_from_the_reader(
    p: Personas, which: str
) -> None:
    moderation, revisit = _moderated(p, which)
    text = _get(p, p.moderator, f"{REVISITS}?show=done")
    assert str(revisit.public_id) in text
    assert "now Good" not in text
    assert "Not shown until you have regraded the audit you moderate" in text

    assert CHANGE in _get(p, second_lead(p), f"{REVISITS}?show=done")
    regraded(p, moderation=moderation)
    assert CHANGE in _get(p, p.moderator, f"{REVISITS}?show=done")


@pytest.mark.parametrize("which", ["earlier", "revisit"])
def test_a_pair_hidden_from_the_reader_is_left_out_of_their_figures_and_the_page_says_so(
    p: Personas, which: str
) -> None:
    moderation, _ = _moderated(p, which)
    _pair(p)
    text = _get(p, p.moderator, REVISITS)
    assert "Overall grade: 1 revisit compared" in text
    assert "1 revisit done is left out of these figures until you have regraded" in text

    assert "Overall grade: 2 revisits compared" in _get(p, second_lead(p), REVISITS)
    regraded(p, moderation=moderation)
    after = _get(p, p.moderator, REVISITS)
    assert "Overall grade: 2 revisits compared" in after
    assert "left out of these figures" not in after


def test_with_every_pair_hidden_the_figures_say_why_not_that_none_was_done(p: Personas) -> None:
    _moderated(p, "revisit")
    text = _get(p, p.moderator, REVISITS)
    assert "No revisit has been submitted here yet" not in text
    assert "1 revisit done is left out of these figures" in text
    assert "revisits compared" not in text and "revisit compared" not in text
