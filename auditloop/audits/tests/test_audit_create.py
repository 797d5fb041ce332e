"""Planning an audit, as two question pages: which child's case (by LA child ID, sent by POST),
then the audit tool, type, auditor and due date for that case."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditloop.accounts.models import Role
from auditloop.audits.forms.planning import AuditCaseFindForm
from auditloop.audits.models import Audit, AuditStatus, AuditType, Grade
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.testing import Personas, make_staff

CREATE = reverse("audits:create")
NOT_FOUND = "No open case with that LA child ID in your services"
QUESTION = "Which child\u2019s case?"


def _text(response: Any) -> str:
    return str(response.content.decode())


def _find(client: Client, typed: str) -> Any:
    return client.post(CREATE, {"la_child_id": typed})


def _plan_data(p: Personas, case: ChildCase, **changes: str) -> dict[str, str]:
    data = {
        "case": str(case.public_id),
        "tool_version": str(p.compliance_tool.public_id),
        "audit_type": AuditType.DIP_SAMPLE,
        "auditor": str(p.auditor.public_id),
        "due_date-day": "31",
        "due_date-month": "12",
        "due_date-year": "2026",
    }
    data.update(changes)
    return data


def _options(page: str, name: str) -> dict[str, str]:
    """The options of the select called `name`: value -> label."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert found is not None, f"no select called {name}"
    return {
        value: html.unescape(label).strip()
        for value, label in re.findall(
            r'<option value="([^"]*)"[^>]*>(.*?)</option>', found.group(1), re.DOTALL
        )
    }


def _submitted(p: Personas, case: ChildCase | None = None) -> Audit:
    audit = answer_fully(planned_audit(p, case=case))
    return audit_submit(audit=audit, by=p.auditor)


# Step 1: which child's case


def test_the_first_page_asks_which_childs_case(p: Personas) -> None:
    response = p.client_for(p.moderator).get(CREATE)
    assert response.status_code == 200
    text = _text(response)
    assert QUESTION in text
    assert 'name="la_child_id"' in text
    assert 'method="post"' in text
    # No list of cases to choose from: a large council has 15,000.
    assert "00123" not in text
    assert "<select" not in text


def test_audit_lead_finds_a_case_by_its_id_trimmed_and_ignoring_capitals(p: Personas) -> None:
    case = ChildCase.objects.create(
        la_child_id="AB-77x", cohort=Cohort.CLA, allocated_team=p.north_b
    )
    response = _find(p.client_for(p.moderator), "  ab-77X ")
    assert response.status_code == 200
    text = _text(response)
    assert "Plan the audit of this case" in text
    assert f'name="case" value="{case.public_id}"' in text
    assert "AB-77x" in text
    assert "North B (North)" in text


def test_the_case_summary_shows_cohort_team_worker_key_dates_and_recent_audits(
    p: Personas,
) -> None:
    p.case.last_statutory_visit = datetime.date(2026, 10, 5)
    p.case.save()
    _submitted(p)
    old = _submitted(p)
    Audit.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=500),
        submitted_at=timezone.now() - datetime.timedelta(days=480),
    )
    text = _text(_find(p.client_for(p.moderator), "00123"))
    assert "Child protection" in text
    assert "North A (North)" in text
    assert "Pat Practitioner" in text
    assert "CP plan start 2 March 2026" in text
    assert "Last statutory visit 5 October 2026" in text
    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"Dip sample: submitted {today}, good" in text
    assert text.count("Dip sample: submitted") == 1  # the one from 16 months ago is left out


def test_showing_the_case_summary_is_logged_as_a_read_of_the_case(p: Personas) -> None:
    _find(p.client_for(p.moderator), "00123")
    assert AccessLog.objects.filter(
        target_type="cases.childcase", target_id=str(p.case.public_id), purpose="view"
    ).exists()


def test_an_unknown_id_is_an_error_on_the_field(p: Personas) -> None:
    response = _find(p.client_for(p.moderator), "NOPE-1")
    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert f'<a href="#id_la_child_id">{NOT_FOUND}</a>' in text
    assert 'id="id_la_child_id-error"' in text
    assert "<title>Error: " in text


def test_an_empty_id_asks_for_one(p: Personas) -> None:
    text = _text(_find(p.client_for(p.moderator), "   "))
    assert "Enter the LA child ID" in text


def test_a_case_in_another_service_answers_exactly_as_a_missing_one(p: Personas) -> None:
    client = p.client_for(p.moderator)
    outside = _text(_find(client, "S-0999"))
    missing = _text(_find(client, "S-0998"))
    assert NOT_FOUND in outside
    assert str(p.outsider_case.public_id) not in outside

    def scrub(page: str) -> str:
        page = page.replace("S-0999", "ID").replace("S-0998", "ID")
        page = re.sub(r' nonce="[^"]+"', "", page)  # the CSP nonce differs on every page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert scrub(outside) == scrub(missing)


def test_a_closed_case_is_not_found(p: Personas) -> None:
    ChildCase.objects.filter(pk=p.case.pk).update(is_open=False)
    assert NOT_FOUND in _text(_find(p.client_for(p.moderator), "00123"))


def test_ids_differing_only_in_capitals_need_the_exact_capitals(p: Personas) -> None:
    lower = ChildCase.objects.create(la_child_id="ab1", cohort=Cohort.CIN, allocated_team=p.north_a)
    upper = ChildCase.objects.create(la_child_id="AB1", cohort=Cohort.CIN, allocated_team=p.north_a)
    client = p.client_for(p.moderator)
    assert "More than one open case" in _text(_find(client, "Ab1"))
    assert f'value="{lower.public_id}"' in _text(_find(client, "ab1"))
    assert f'value="{upper.public_id}"' in _text(_find(client, "AB1"))


# Step 2: the audit of that case


def test_audit_lead_plans_an_audit(p: Personas) -> None:
    response = p.client_for(p.moderator).post(CREATE, _plan_data(p, p.case, theme=" "))
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.public_id])
    assert audit.case == p.case
    assert audit.auditor == p.auditor
    assert audit.practitioner == p.practitioner
    assert audit.due_date == datetime.date(2026, 12, 31)
    assert audit.status == AuditStatus.PLANNED


def test_the_child_id_never_appears_in_any_url_or_log_of_the_flow(p: Personas) -> None:
    # Letters no UUID or hex id can contain, so a match can only be the child's ID.
    child_id = "QZ-WK"
    case = ChildCase.objects.create(
        la_child_id=child_id,
        cohort=Cohort.CP,
        allocated_team=p.north_a,
        allocated_worker=p.practitioner,
    )

    def clean(text: str) -> bool:
        return "qz-wk" not in text.lower()

    client = p.client_for(p.moderator)
    pages = [client.get(CREATE), _find(client, " qz-wk "), _find(client, "QZ-WKX")]
    assert child_id in _text(pages[1])  # shown on the page, as it should be
    done = client.post(CREATE, _plan_data(p, case), follow=True)
    pages.append(done)
    assert len(done.redirect_chain) == 1
    for url, _status in done.redirect_chain:
        assert clean(url)
    for page in pages:
        assert clean(page.request["PATH_INFO"])
        assert clean(page.request.get("QUERY_STRING", ""))
        assert clean(page.get("Location", ""))
        for url in re.findall(r'(?:href|action|src)="([^"]*)"', _text(page)):
            assert clean(url)
    assert Event.objects.exists()
    for row in Event.objects.all():
        assert clean(f"{row.target_id} {row.summary} {row.before} {row.after}")
    assert AccessLog.objects.exists()
    for log in AccessLog.objects.all():
        assert clean(log.target_id)
    for note in Notification.objects.all():
        assert clean(f"{note.message} {note.url}")
    for email in mail.outbox:
        assert clean(f"{email.subject} {email.body}")


def test_the_auditor_list_excludes_the_cases_worker_and_their_manager(p: Personas) -> None:
    # A second manager in the case's team manages it too, though not the worker's line.
    make_staff("manager2", "Nia Newmanager", Role.TEAM_MANAGER, p.north_a)
    other_team_manager = make_staff("manager3", "Bea Bmanager", Role.TEAM_MANAGER, p.north_b)
    offered = set(_options(_text(_find(p.client_for(p.moderator), "00123")), "auditor").values())
    assert "Alex Auditor (Auditor or QA officer, North B)" in offered
    assert "Morgan Moderator (Moderator or audit lead, no team)" in offered
    assert "Lee Leader (Senior leader, no team)" in offered
    assert f"{other_team_manager.name} (Team manager, North B)" in offered
    names = " ".join(offered)
    assert "Mary Manager" not in names  # the worker's manager
    assert "Nia Newmanager" not in names  # a manager of the case's team
    assert "Pat Practitioner" not in names  # the worker (and not an auditing role)
    assert "Sam South" not in names  # another service's staff


def test_a_worker_who_can_audit_is_not_offered_their_own_case(p: Personas) -> None:
    case = ChildCase.objects.create(
        la_child_id="HELD-1",
        cohort=Cohort.CIN,
        allocated_team=p.north_b,
        allocated_worker=p.auditor,
    )
    offered = _options(_text(_find(p.client_for(p.moderator), "HELD-1")), "auditor")
    assert str(p.auditor.public_id) not in offered
    response = p.client_for(p.moderator).post(CREATE, _plan_data(p, case))
    assert response.status_code == 200
    assert "Alex Auditor holds or manages this case" in _text(response)
    assert not Audit.objects.exists()


def test_choosing_someone_who_manages_the_case_is_refused_against_the_auditor(
    p: Personas,
) -> None:
    response = p.client_for(p.moderator).post(
        CREATE, _plan_data(p, p.case, auditor=str(p.team_manager.public_id))
    )
    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert "Mary Manager holds or manages this case" in text
    assert 'href="#id_auditor"' in text
    assert f'name="case" value="{p.case.public_id}"' in text  # still on step 2, same case
    assert not Audit.objects.exists()


def test_an_auditor_from_outside_the_leads_services_is_not_a_valid_choice(p: Personas) -> None:
    response = p.client_for(p.moderator).post(
        CREATE, _plan_data(p, p.case, auditor=str(p.outsider_manager.public_id))
    )
    assert response.status_code == 200
    assert 'href="#id_auditor"' in _text(response)
    assert not Audit.objects.exists()


def test_missing_choices_are_errors_against_their_fields(p: Personas) -> None:
    response = p.client_for(p.moderator).post(CREATE, {"case": str(p.case.public_id)})
    assert response.status_code == 200
    text = _text(response)
    assert '<a href="#id_tool_version">Choose an audit tool</a>' in text
    assert '<a href="#id_audit_type_0">Choose the type of audit</a>' in text
    assert '<a href="#id_auditor">Choose an auditor</a>' in text
    assert not Audit.objects.exists()


def test_the_revisit_choices_are_only_this_cases_submitted_audits(p: Personas) -> None:
    earlier = _submitted(p)
    planned = planned_audit(p)
    other_case = ChildCase.objects.create(
        la_child_id="OTHER-1",
        cohort=Cohort.CIN,
        allocated_team=p.north_a,
        allocated_worker=p.practitioner,
    )
    elsewhere = _submitted(p, case=other_case)
    offered = _options(_text(_find(p.client_for(p.moderator), "00123")), "revisit_of")
    assert set(offered) == {"", str(earlier.public_id)}
    assert offered[""] == "Not a revisit"
    today = timezone.localdate().strftime("%-d %B %Y")
    assert offered[str(earlier.public_id)] == f"Dip sample submitted {today}, graded Good"
    assert str(planned.public_id) not in offered
    assert str(elsewhere.public_id) not in offered


def test_a_revisit_of_another_cases_audit_is_refused_against_its_field(p: Personas) -> None:
    other_case = ChildCase.objects.create(
        la_child_id="OTHER-1",
        cohort=Cohort.CIN,
        allocated_team=p.north_a,
        allocated_worker=p.practitioner,
    )
    elsewhere = _submitted(p, case=other_case)
    response = p.client_for(p.moderator).post(
        CREATE,
        _plan_data(p, p.case, audit_type=AuditType.REVISIT, revisit_of=str(elsewhere.public_id)),
    )
    assert response.status_code == 200
    assert 'href="#id_revisit_of"' in _text(response)
    assert Audit.objects.filter(case=p.case).count() == 0


def test_audit_lead_plans_a_revisit_of_the_cases_earlier_audit(p: Personas) -> None:
    earlier = _submitted(p)
    response = p.client_for(p.moderator).post(
        CREATE,
        _plan_data(p, p.case, audit_type=AuditType.REVISIT, revisit_of=str(earlier.public_id)),
    )
    assert response.status_code == 302
    revisit = Audit.objects.get(audit_type=AuditType.REVISIT)
    assert revisit.revisit_of == earlier


def test_a_revisit_without_its_earlier_audit_is_refused_against_that_field(p: Personas) -> None:
    response = p.client_for(p.moderator).post(
        CREATE, _plan_data(p, p.case, audit_type=AuditType.REVISIT)
    )
    assert response.status_code == 200
    text = _text(response)
    assert '<a href="#id_revisit_of">A revisit needs the earlier audit it follows up.</a>' in text
    assert "no submitted or completed audit yet" in text
    assert not Audit.objects.exists()


def test_the_theme_hint_says_it_is_for_thematic_audits_only(p: Personas) -> None:
    text = _text(_find(p.client_for(p.moderator), "00123"))
    assert "Only for a thematic audit" in text


@pytest.mark.parametrize("how", ["other service", "closed", "forged", "not a uuid"])
def test_the_case_is_checked_again_on_every_post(p: Personas, how: str) -> None:
    case_id = {
        "other service": str(p.outsider_case.public_id),
        "closed": str(p.case.public_id),
        "forged": "6a1f4c8e-0000-4000-8000-000000000000",
        "not a uuid": "00123",
    }[how]
    if how == "closed":
        ChildCase.objects.filter(pk=p.case.pk).update(is_open=False)
    response = p.client_for(p.moderator).post(CREATE, {**_plan_data(p, p.case), "case": case_id})
    assert response.status_code == 200
    text = _text(response)
    assert QUESTION in text
    assert "The case you chose is no longer open in your services" in text
    assert "S-0999" not in text
    assert not Audit.objects.exists()


@pytest.mark.parametrize(
    "who", ["auditor", "team_manager", "practitioner", "senior_leader", "administrator"]
)
def test_only_an_audit_lead_may_plan_audits(p: Personas, who: str) -> None:
    client = p.client_for(getattr(p, who))
    assert client.get(CREATE).status_code == 403
    assert _find(client, "00123").status_code == 403
    assert client.post(CREATE, _plan_data(p, p.case)).status_code == 403
    assert not Audit.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(anon: Client) -> None:
    response = anon.post(CREATE, {"la_child_id": "00123"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "00123" not in response["Location"]


# Scale: nothing on these pages grows with the service


def _grow(p: Personas, cases: int, audits: int, auditors: int, start: int) -> None:
    ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"G{start + i:06d}",
            cohort=Cohort.CIN,
            allocated_team=p.north_b,
            allocated_worker=p.practitioner,
        )
        for i in range(cases)
    )
    good = Grade.objects.get(scale=p.compliance_tool.grading_scale, code="good")
    now = timezone.now()
    Audit.objects.bulk_create(
        Audit(
            case=p.case,
            tool_version=p.compliance_tool,
            audit_type=AuditType.DIP_SAMPLE,
            status=AuditStatus.SUBMITTED,
            auditor=p.auditor,
            practitioner=p.practitioner,
            team=p.north_a,
            overall_grade=good,
            submitted_at=now,
        )
        for _ in range(audits)
    )
    for i in range(auditors):
        make_staff(f"aud{start + i}", f"Auditor {start + i}", Role.AUDITOR, p.north_b)


def _queries(client: Client, p: Personas) -> list[int]:
    counts = []
    for send in (
        lambda: client.get(CREATE),
        lambda: _find(client, "00123"),
        lambda: _find(client, "NOPE"),
        lambda: client.post(CREATE, _plan_data(p, p.case, auditor="")),
    ):
        with CaptureQueriesContext(connection) as captured:
            assert send().status_code == 200
        counts.append(len(captured))
    return counts


def test_the_query_count_does_not_grow_with_cases_audits_or_staff(p: Personas) -> None:
    client = p.client_for(p.moderator)
    _grow(p, cases=5, audits=1, auditors=1, start=0)
    few = _queries(client, p)
    _grow(p, cases=200, audits=12, auditors=25, start=1000)
    assert ChildCase.objects.count() > 200
    assert _queries(client, p) == few


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capitals=st.lists(st.booleans(), min_size=7, max_size=7),
    before=st.text(alphabet=" \t\u00a0", max_size=3),
    after=st.text(alphabet=" \t\u00a0", max_size=3),
)
def test_any_capitals_and_surrounding_spaces_find_the_same_case(
    p: Personas, capitals: list[bool], before: str, after: str
) -> None:
    case, _ = ChildCase.objects.get_or_create(
        la_child_id="ab-12Cd", defaults={"cohort": Cohort.CIN, "allocated_team": p.north_a}
    )
    typed = "".join(
        c.upper() if up else c.lower() for c, up in zip("ab-12Cd", capitals, strict=True)
    )
    form = AuditCaseFindForm({"la_child_id": before + typed + after}, staff=p.moderator)
    assert form.is_valid(), form.errors
    assert form.case == case
