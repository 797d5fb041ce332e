"""My feedback: a worker reads the feedback on the audits of their own cases, privately; their
line manager reads the same for each member of staff they line-manage, and nobody else."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import Action, Audit, AuditStatus, AuditType, Question
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import AccessLog
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageRecipient,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
    Theme,
)
from auditloop.learning.tests.team_picture_factories import cycle_of, grade
from auditloop.testing import Personas, make_staff

MY_FEEDBACK = reverse("learning:my_feedback")


def feedback_given(p: Personas, audit: Audit) -> Audit:
    """The audit submitted, graded Good overall, with its written feedback, a learning point of
    each kind and an action for the practitioner (and one for their manager)."""
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = timezone.now()
    audit.overall_grade = grade(audit.tool_version, "good")
    audit.strengths = "Visits are regular and purposeful."
    audit.areas_for_development = "The chronology is a list, not an analysis."
    audit.save()
    drift = Theme.objects.get_or_create(name="Drift")[0]
    concern = LearningPoint.objects.create(
        audit=audit,
        kind=LearningPointKind.CONCERN,
        text="The plan drifted for three months.",
        author=p.auditor,
        question=Question.objects.filter(section__version=audit.tool_version).first(),
    )
    concern.themes.add(drift)
    LearningPoint.objects.create(
        audit=audit,
        kind=LearningPointKind.GOOD_PRACTICE,
        text="Direct work with the child is vivid.",
        author=p.auditor,
    )
    for owner, text in ((p.practitioner, "Update the chronology"), (p.team_manager, "Supervise")):
        Action.objects.create(
            audit=audit, description=text, owner=owner, due_date=datetime.date(2026, 12, 1)
        )
    return audit


def page(p: Personas, who: str, url: str = MY_FEEDBACK) -> str:
    response = p.client_for(getattr(p, who)).get(url)
    assert response.status_code == 200
    return response.content.decode()


def worker_url(p: Personas, who: str = "practitioner") -> str:
    return reverse("learning:worker_feedback", args=[getattr(p, who).public_id])


def test_a_practitioner_reads_the_feedback_on_the_audits_of_their_cases(p: Personas) -> None:
    audit = feedback_given(p, make_audit(p))
    text = page(p, "practitioner")
    assert "My feedback" in text
    assert "Good" in text
    assert "Visits are regular and purposeful." in text
    assert "The chronology is a list, not an analysis." in text
    assert "The plan drifted for three months." in text
    assert "Drift" in text
    assert "Direct work with the child is vivid." in text
    assert "Update the chronology" in text
    # The manager's own action on the audit is theirs, not the practitioner's.
    assert "Supervise" not in text
    assert reverse("audits:detail", args=[audit.public_id]) in text


def test_drafts_calibration_audits_and_other_workers_audits_are_not_there(p: Personas) -> None:
    draft = make_audit(p, status=AuditStatus.IN_PROGRESS)
    Audit.objects.filter(pk=draft.pk).update(strengths="A draft's note.")
    calibration = feedback_given(p, make_audit(p, audit_type=AuditType.CALIBRATION))
    Audit.objects.filter(pk=calibration.pk).update(strengths="A calibration note.")
    other = feedback_given(p, make_audit(p))
    Audit.objects.filter(pk=other.pk).update(practitioner=p.outsider, strengths="Olly's note.")
    text = page(p, "practitioner")
    assert "A draft's note." not in text
    assert "A calibration note." not in text
    assert "Olly's note." not in text
    assert "No audit of a case you held has been submitted yet." in text


def test_each_audit_shown_is_logged_as_read_on_a_feedback_page(p: Personas) -> None:
    audit = feedback_given(p, make_audit(p))
    page(p, "practitioner")
    assert AccessLog.objects.filter(
        user=p.practitioner.user, target_id=str(audit.public_id), purpose="feedback"
    ).exists()


def test_the_line_manager_reads_the_same_feedback_for_each_person_they_line_manage(
    p: Personas,
) -> None:
    audit = feedback_given(p, make_audit(p))
    text = page(p, "team_manager", worker_url(p))
    assert p.practitioner.name in text
    assert "The plan drifted for three months." in text
    assert "Update the chronology" in text
    assert AccessLog.objects.filter(
        user=p.team_manager.user, target_id=str(audit.public_id), purpose="feedback"
    ).exists()
    # And their own page offers the people they line-manage.
    assert worker_url(p) in page(p, "team_manager")


def test_the_title_names_no_one(p: Personas) -> None:
    feedback_given(p, make_audit(p))
    text = page(p, "team_manager", worker_url(p))
    title = text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert p.practitioner.name not in title
    assert p.case.la_child_id not in title


@pytest.mark.parametrize(
    ("who", "whose"),
    [
        ("outsider_manager", "practitioner"),  # a manager, but not theirs
        ("practitioner", "outsider"),  # another worker
        ("moderator", "practitioner"),  # reads the audit, but is not the line manager
        ("senior_leader", "practitioner"),
        ("auditor", "practitioner"),
        ("board_member", "practitioner"),
        ("administrator", "practitioner"),
    ],
)
def test_no_one_else_reads_a_workers_feedback_page(p: Personas, who: str, whose: str) -> None:
    feedback_given(p, make_audit(p))
    response = p.client_for(getattr(p, who)).get(worker_url(p, whose))
    assert response.status_code == 404


def test_a_worker_may_open_their_own_page_by_its_address(p: Personas) -> None:
    feedback_given(p, make_audit(p))
    assert "The plan drifted" in page(p, "practitioner", worker_url(p))


@pytest.mark.parametrize("who", ["auditor", "moderator", "senior_leader", "board_member"])
def test_my_feedback_is_for_practitioners_and_team_managers(p: Personas, who: str) -> None:
    assert p.client_for(getattr(p, who)).get(MY_FEEDBACK).status_code == 403


def test_the_line_manager_sees_only_the_audits_they_may_already_read(p: Personas) -> None:
    elsewhere = feedback_given(p, make_audit(p))
    Audit.objects.filter(pk=elsewhere.pk).update(team=p.south_a, strengths="From South.")
    assert "From South." in page(p, "practitioner")
    assert "From South." not in page(p, "team_manager", worker_url(p))


def test_a_grade_the_reader_moderates_blind_stays_hidden(p: Personas) -> None:
    audit = feedback_given(p, make_audit(p))
    Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=p.team_manager,
    )
    text = page(p, "team_manager", worker_url(p))
    assert "Hidden until you have regraded it" in text


def test_the_auditors_learning_points_stay_hidden_from_a_manager_moderating_blind(
    p: Personas,
) -> None:
    audit = feedback_given(p, make_audit(p))
    moderation = Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=p.team_manager,
    )
    text = page(p, "team_manager", worker_url(p))
    assert "The plan drifted for three months." not in text
    assert "Direct work with the child is vivid." not in text
    # Their own practitioner reads them, and so does the manager once they have regraded.
    assert "The plan drifted for three months." in page(p, "practitioner")
    moderation.regraded_at = timezone.now()
    moderation.save()
    assert "The plan drifted for three months." in page(p, "team_manager", worker_url(p))


def key_message(p: Personas, title: str, status: str, to: list[StaffMember]) -> KeyMessage:
    message = KeyMessage.objects.create(
        title=title,
        cycle=cycle_of(p, f"Cycle for {title}", datetime.date(2026, 1, 1)),
        team=p.north_a,
        status=status,
        author=p.moderator,
        published_at=timezone.now() if status == KeyMessageStatus.PUBLISHED else None,
        published_text={"title": title} if status == KeyMessageStatus.PUBLISHED else {},
    )
    for staff in to:
        KeyMessageRecipient.objects.create(key_message=message, staff=staff)
    return message


def test_the_key_messages_published_to_the_practitioner_head_their_page(p: Personas) -> None:
    published = key_message(p, "Voice of the child", KeyMessageStatus.PUBLISHED, [p.practitioner])
    key_message(p, "Still a draft", KeyMessageStatus.DRAFT, [p.practitioner])
    key_message(p, "For South", KeyMessageStatus.PUBLISHED, [p.outsider])
    text = page(p, "practitioner")
    assert "Key messages for your team" in text
    assert "Voice of the child" in text
    assert "Still a draft" not in text
    assert "For South" not in text
    try:
        url = reverse("learning:key_message_detail", kwargs={"public_id": published.public_id})
    except NoReverseMatch:
        assert 'href="/key-messages/' not in text
    else:
        assert url in text
    # Not on the manager's page about the worker: those are the reader's own messages.
    assert "Voice of the child" not in page(p, "team_manager", worker_url(p))


def test_a_key_message_is_listed_by_its_published_title_never_its_draft_title(
    p: Personas,
) -> None:
    message = key_message(
        p, "Visits by Pat Practitioner", KeyMessageStatus.PUBLISHED, [p.practitioner]
    )
    message.published_text = {"title": "Visits by [social worker]"}
    message.save()
    message.cycle.name = "Spring 2026"
    message.cycle.save()
    text = page(p, "practitioner")
    listed = text.split("Key messages for your team")[1].split("Your audits")[0]
    assert "Visits by [social worker]" in listed
    assert "Pat Practitioner" not in listed


def test_the_page_asks_the_same_number_of_queries_however_many_audits(p: Personas) -> None:
    feedback_given(p, make_audit(p))
    client = p.client_for(p.practitioner)
    client.get(MY_FEEDBACK)
    with CaptureQueriesContext(connection) as few:
        client.get(MY_FEEDBACK)
    for _ in range(12):
        feedback_given(p, make_audit(p))
    with CaptureQueriesContext(connection) as many:
        client.get(MY_FEEDBACK)
    assert len(many) == len(few)


def test_a_page_of_feedback_is_cut_from_the_audits_keys_before_their_grades_are_read(
    p: Personas,
) -> None:
    """Cut to a page with its grades and case joined, PostgreSQL sorted every one of the
    worker's audits with all of that (500 for the national council's busiest practitioner) to
    show twenty: the keys are ordered and cut first, and only the page's audits read whole."""
    for _ in range(3):
        feedback_given(p, make_audit(p))
    with CaptureQueriesContext(connection) as queries:
        page(p, "practitioner")
    audit_reads = [q["sql"] for q in queries if 'FROM "audits_audit"' in q["sql"]]
    cut = [sql for sql in audit_reads if " LIMIT " in sql]
    with_grades = [sql for sql in audit_reads if '"audits_grade"' in sql]
    assert cut
    assert with_grades
    assert not set(cut) & set(with_grades)


def test_the_menu_offers_my_feedback_and_the_team_picture_to_those_who_may_read_them(
    p: Personas,
) -> None:
    team_picture = reverse("learning:team_picture_choose")
    expected = {
        "practitioner": (True, False),
        "team_manager": (True, True),
        "auditor": (False, False),
        "moderator": (False, True),
        "senior_leader": (False, True),
        "board_member": (False, False),
        "administrator": (False, False),
    }
    for who, (feedback, picture) in expected.items():
        home = p.client_for(getattr(p, who)).get(reverse("home")).content.decode()
        assert (f'href="{MY_FEEDBACK}"' in home) is feedback, who
        assert (f'href="{team_picture}"' in home) is picture, who


def test_a_manager_who_line_manages_no_one_is_offered_no_one(p: Personas) -> None:
    lone = make_staff("lonemanager", "Lou Lone", Role.TEAM_MANAGER, p.north_b)
    text = p.client_for(lone).get(MY_FEEDBACK).content.decode()
    assert "People you line-manage" not in text
