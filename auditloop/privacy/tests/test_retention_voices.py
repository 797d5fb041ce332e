"""The retention schedule covers the voices issue 13 added: the log of the family form's links
being used, the record that someone answered the questions about being audited, and their
unattributed answers; and anonymising an audit removes the family's own words with the rest."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from auditloop.assurance.models import Agreement, ExperienceAsked, ExperienceResponse
from auditloop.assurance.rules.experience import ASK_WITHIN_DAYS
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    FamilyAnswer,
    FamilyContact,
    FamilyLink,
    FamilyLinkOutcome,
    FamilyLinkUse,
    FamilyQuestion,
    Respondent,
)
from auditloop.audits.services.family import client_key, token_hash
from auditloop.privacy.models import RetentionRule
from auditloop.privacy.rules.retention import (
    DEFAULTS,
    MIN_MONTHS,
    Anchor,
    Outcome,
    RecordKind,
    RetentionRefused,
    rule_check,
)
from auditloop.privacy.selectors.retention import retention_due
from auditloop.privacy.services.retention import (
    legal_hold_set,
    retention_run,
    retention_schedule_seed,
)
from auditloop.privacy.tests.retention_factories import LONG_AGO, SECRET, old_audit, old_cycle
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

RECENTLY = timezone.now() - datetime.timedelta(days=30)
WORDS = "I told them about my stepdad and nobody came back"


@pytest.fixture
def schedule(db: None) -> None:
    retention_schedule_seed()


def due(kind: RecordKind) -> int:
    return next(line.count for line in retention_due() if line.rule.kind == kind)


def link_of(p: Personas, audit: Audit, name: str) -> FamilyLink:
    return FamilyLink.objects.create(
        audit=audit,
        respondent=Respondent.PARENT_CARER,
        token_hash=token_hash(name),
        expires_at=LONG_AGO + datetime.timedelta(days=28),
        created_by=p.moderator,
    )


def use(link: FamilyLink | None, when: datetime.datetime) -> FamilyLinkUse:
    return FamilyLinkUse.objects.create(
        link=link, outcome=FamilyLinkOutcome.SHOWN, client=client_key("192.0.2.1"), at=when
    )


def test_the_schedule_has_a_default_rule_for_each_of_the_voices_records(schedule: None) -> None:
    rules = {r.kind: r for r in RetentionRule.objects.all()}
    uses = rules[RecordKind.FAMILY_FORM_USES]
    assert (uses.years, uses.anchor, uses.outcome) == (2, Anchor.CREATED, Outcome.DELETE)
    asked = rules[RecordKind.EXPERIENCE_ASKED]
    assert (asked.years, asked.anchor, asked.outcome) == (
        1,
        Anchor.AUDIT_COMPLETED,
        Outcome.DELETE,
    )
    answers = rules[RecordKind.EXPERIENCE_ANSWERS]
    assert (answers.years, answers.anchor, answers.outcome) == (
        6,
        Anchor.CYCLE_ENDED,
        Outcome.ANONYMISE,
    )


def test_uses_of_family_form_links_older_than_two_years_are_deleted_and_newer_ones_kept(
    p: Personas, schedule: None
) -> None:
    audit = old_audit(p, old_cycle(p, audits=1).cycle)
    link = link_of(p, audit, "old")
    old_use, guessed = use(link, LONG_AGO), use(None, LONG_AGO)
    recent = use(link, RECENTLY)
    assert due(RecordKind.FAMILY_FORM_USES) == 2
    retention_run(by=p.data_protection)
    assert list(FamilyLinkUse.objects.all()) == [recent]
    assert not FamilyLinkUse.objects.filter(pk__in=[old_use.pk, guessed.pk]).exists()
    # The link itself, which holds no personal data, stays with its audit.
    assert FamilyLink.objects.filter(pk=link.pk).exists()


def test_uses_of_a_link_to_an_audit_of_a_case_on_hold_are_kept(p: Personas, schedule: None) -> None:
    audit = old_audit(p, old_cycle(p, audits=1).cycle)
    kept = use(link_of(p, audit, "held"), LONG_AGO)
    guessed = use(None, LONG_AGO)
    legal_hold_set(case=audit.case, by=p.data_protection, reason="A claim is expected.")
    assert due(RecordKind.FAMILY_FORM_USES) == 1
    retention_run(by=p.data_protection)
    assert FamilyLinkUse.objects.filter(pk=kept.pk).exists()
    assert not FamilyLinkUse.objects.filter(pk=guessed.pk).exists()


def test_who_answered_about_an_audit_is_deleted_a_year_after_its_completion(
    p: Personas, schedule: None
) -> None:
    cycle = old_cycle(p, audits=1).cycle
    old = old_audit(p, cycle)
    recent = old_audit(p, cycle)
    Audit.objects.filter(pk=recent.pk).update(completed_at=RECENTLY)
    ExperienceAsked.objects.create(audit=old, staff=p.practitioner, answered=True, on=LONG_AGO)
    kept = ExperienceAsked.objects.create(
        audit=recent, staff=p.practitioner, answered=False, on=RECENTLY.date()
    )
    assert due(RecordKind.EXPERIENCE_ASKED) == 1
    retention_run(by=p.data_protection)
    assert list(ExperienceAsked.objects.all()) == [kept]


def test_answers_about_being_audited_lose_their_free_text_six_years_after_their_cycle(
    p: Personas, schedule: None
) -> None:
    old = old_cycle(p, audits=1).cycle
    current = Cycle.objects.create(
        name="This year",
        starts_on=RECENTLY.date(),
        ends_on=RECENTLY.date() + datetime.timedelta(181),
    )

    def answer(cycle: Cycle | None) -> ExperienceResponse:
        return ExperienceResponse.objects.create(
            cycle=cycle,
            service=p.north,
            audit_type="deep_dive",
            role="practitioner",
            supportive=Agreement.AGREE,
            feedback_useful=Agreement.STRONGLY_AGREE,
            alongside=Agreement.DISAGREE,
            do_differently=SECRET,
        )

    long_past, this_cycle, in_no_cycle = answer(old), answer(current), answer(None)
    assert due(RecordKind.EXPERIENCE_ANSWERS) == 1
    retention_run(by=p.data_protection)
    long_past.refresh_from_db()
    assert long_past.do_differently == ""
    # The choices stay for the reports' figures.
    assert (long_past.supportive, long_past.feedback_useful, long_past.alongside) == (
        Agreement.AGREE,
        Agreement.STRONGLY_AGREE,
        Agreement.DISAGREE,
    )
    for kept in (this_cycle, in_no_cycle):
        kept.refresh_from_db()
        assert kept.do_differently == SECRET
    # Anonymised once: a second run finds nothing more to do.
    assert due(RecordKind.EXPERIENCE_ANSWERS) == 0


def test_a_council_may_delete_answers_about_being_audited_instead(
    p: Personas, schedule: None
) -> None:
    rule_check(
        kind=RecordKind.EXPERIENCE_ANSWERS,
        years=6,
        months=0,
        anchor=Anchor.CYCLE_ENDED,
        outcome=Outcome.DELETE,
    )
    with pytest.raises(RetentionRefused):
        rule_check(
            kind=RecordKind.EXPERIENCE_ANSWERS,
            years=6,
            months=0,
            anchor=Anchor.CREATED,
            outcome=Outcome.DELETE,
        )


def test_who_answered_is_kept_at_least_as_long_as_people_are_asked(db: None) -> None:
    # Two months are longer than the eight weeks people are asked for: a shorter period would
    # forget that someone answered while they could still be asked again.
    assert MIN_MONTHS[RecordKind.EXPERIENCE_ASKED] * 28 + 3 >= ASK_WITHIN_DAYS
    with pytest.raises(RetentionRefused, match="at least 2 months"):
        rule_check(
            kind=RecordKind.EXPERIENCE_ASKED,
            years=0,
            months=1,
            anchor=Anchor.CREATED,
            outcome=Outcome.DELETE,
        )
    rule_check(
        kind=RecordKind.EXPERIENCE_ASKED,
        years=0,
        months=2,
        anchor=Anchor.CREATED,
        outcome=Outcome.DELETE,
    )
    default = DEFAULTS[RecordKind.EXPERIENCE_ASKED]
    assert default.years * 12 + default.months >= MIN_MONTHS[RecordKind.EXPERIENCE_ASKED]


def test_anonymising_an_audit_removes_the_childs_and_familys_own_words(
    p: Personas, schedule: None
) -> None:
    audit = old_audit(p, old_cycle(p, audits=1).cycle)
    question = FamilyQuestion.objects.filter(version=audit.tool_version, kind="text").first()
    assert question is not None
    heard = FamilyContact.objects.create(
        audit=audit,
        respondent=Respondent.CHILD,
        made=True,
        method="visit",
        own_words=WORDS,
        recorded_by=p.auditor,
    )
    FamilyAnswer.objects.create(contact=heard, question=question, text=WORDS)
    FamilyContact.objects.create(
        audit=audit,
        respondent=Respondent.PARENT_CARER,
        made=False,
        not_made_reason=SECRET,
        recorded_by=p.auditor,
    )
    retention_run(by=p.data_protection)
    assert not FamilyContact.objects.exclude(own_words="", not_made_reason="").exists()
    assert not FamilyAnswer.objects.exclude(text="").exists()
    # What the figures count stays: who was heard, and how.
    assert FamilyContact.objects.filter(audit=audit, made=True, method="visit").exists()
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.COMPLETED
