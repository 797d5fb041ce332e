"""The voices the committee asked about, in the demo council: the child's and the family's view
of each deep dive, and the practitioners' and managers' experience of being audited.

- The family's view: for most deep dives of the last two cycles (every one of the demo
  practitioner's cases) the auditor records contact with the child or young person and with a
  parent or carer (a visit or a call, or why no contact was made), their answers to the tool's
  family questions and their own words; for some the audit lead sent a parent the online form,
  which they answered. On the audits in hand the
  demo auditor has heard a child on their deep dive in progress, and a link the lead sent for
  another is waiting for its answer. The family's answer to "have things got better?" mostly
  agrees with the auditor's grade, not always.
- The experience of being audited: about half of the practitioners (and deep dives' managers)
  asked about a completed audit answered the three questions, a few declined, and the rest
  never did; agreement rises cycle on cycle. The demo practitioner and manager have answered
  none of their recent audits, so their home pages ask them.

Everything is written through the product's services (`family_contact_record`,
`family_link_create`, `family_form_open`, `family_form_submit`, `experience_answer`,
`experience_decline`), each as it would have happened on its day: an audit is reopened for
the moment its auditor records a contact, and the times, public ids and the events the
services write are then put at the past moment they stand for. Text comes from the phrase
bank: no child, family member or worker is named. Drawn from a generator of its own, so the
rest of the demo is as it was without it; built before the cycle review, which reports it.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.models import Agreement
from auditloop.assurance.rules.experience import ASK_WITHIN_DAYS, STATEMENTS
from auditloop.assurance.services.experience import experience_answer, experience_decline
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    AuditType,
    ContactMethod,
    FamilyAnswerKind,
    FamilyContact,
    FamilyLink,
    FamilyLinkUse,
    FamilyQuestion,
    FamilyReply,
    ParticipantRole,
    Respondent,
)
from auditloop.audits.rules import FAMILY_LINK_DAYS
from auditloop.audits.services.family import (
    client_key,
    family_contact_record,
    family_form_open,
    family_form_submit,
    family_link_create,
    token_hash,
)
from auditloop.core.models import Event
from auditloop.demo import phrases
from auditloop.demo.council import Council, at, new_uuid
from auditloop.sampling.models import Cycle, CycleAudit

# The share of deep dives whose child, and whose parent or carer, the auditor tried to reach.
CHILD_TRIED = 0.8
PARENT_TRIED = 0.7
CONTACT_MADE = 0.85
# Of the parents reached, the share who answered the online form the lead sent.
BY_FORM = 0.2
# Of the people asked about a completed audit: the share who answered, and who declined.
ANSWERED = 0.55
DECLINED = 0.1
GOOD = 3


def voices_history(*, council: Council, today: dt.date) -> None:
    """The family's view and the experience of being audited (the builder's one call)."""
    builder = _Voices(council, random.Random("voices of families and practitioners"), today)  # noqa: S311
    builder.family()
    builder.experience()


class _Voices:
    def __init__(self, c: Council, rng: random.Random, today: dt.date) -> None:
        self.c, self.rng, self.today = c, rng, today
        self.now = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
        cycles = list(Cycle.objects.order_by("-starts_on", "-id")[:2])
        self.cycle_ids = [cycle.pk for cycle in cycles]
        self.first = min((cycle.starts_on for cycle in cycles), default=today)
        self.demo_people = {c.demo["practitioner"], c.demo["manager"]}

    # --- the family's view -----------------------------------------------------------------

    def family(self) -> None:
        deep_dives = (
            Audit.objects.filter(
                audit_type=AuditType.DEEP_DIVE,
                started_at__isnull=False,
                pk__in=CycleAudit.objects.filter(cycle_id__in=self.cycle_ids).values("audit_id"),
            )
            .exclude(status=AuditStatus.PLANNED)
            .select_related("tool_version", "team", "overall_grade", "auditor")
            .order_by("id")
        )
        demo_auditor = self.c.demo["auditor"]
        for audit in deep_dives:
            in_hand = audit.status == AuditStatus.IN_PROGRESS
            if in_hand and audit.auditor_id == demo_auditor:
                # The demo auditor heard the child on the deep dive they are doing.
                self._contact(audit, Respondent.CHILD, made=True)
                self._link_waiting(audit)
                continue
            if in_hand:
                continue
            # The demo practitioner's children were always heard: their own dashboard shows it.
            theirs = audit.practitioner_id == self.c.demo["practitioner"]
            if theirs or self.rng.random() < CHILD_TRIED:
                made = theirs or self.rng.random() < CONTACT_MADE
                self._contact(audit, Respondent.CHILD, made=made)
            if self.rng.random() < PARENT_TRIED:
                made = self.rng.random() < CONTACT_MADE
                if made and self.rng.random() < BY_FORM and self._lead(audit) is not None:
                    self._form_answered(audit)
                else:
                    self._contact(audit, Respondent.PARENT_CARER, made=made)

    def _heard_on(self, audit: Audit) -> dt.datetime:
        """A working hour between the audit's start and its submission (or now)."""
        if audit.started_at is None:
            raise RuntimeError("A demo audit heard from a family must have been started.")
        start = audit.started_at.date()
        end = (audit.submitted_at or self.now).date()
        day = start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days - 1)))
        return min(at(day, self.rng), self.now - dt.timedelta(hours=1))

    def _replies(self, audit: Audit, respondent: str) -> tuple[dict[int, str], dict[int, str], str]:
        """Answers to the tool version's family questions, the impact question mostly agreeing
        with the auditor's grade; a few words of their own, for most."""
        grade = audit.overall_grade.value if audit.overall_grade is not None else GOOD
        replies: dict[int, str] = {}
        texts: dict[int, str] = {}
        questions = FamilyQuestion.objects.filter(version_id=audit.tool_version_id).order_by(
            "order"
        )
        for question in questions:
            if question.kind == FamilyAnswerKind.TEXT:
                if self.rng.random() < 0.5:
                    texts[question.pk] = self.rng.choice(phrases.FAMILY_WOULD_HAVE_HELPED)
                continue
            if question.about_impact:
                weights = [6, 3, 1, 1] if grade >= GOOD else [1, 4, 4, 1]
            else:
                weights = [7, 3, 1, 1]
            replies[question.pk] = self.rng.choices(
                [FamilyReply.YES, FamilyReply.PARTLY, FamilyReply.NO, FamilyReply.NOT_SURE],
                weights,
            )[0]
        # Their own words say what their answer to "have things got better?" says.
        better = any(
            q.about_impact and replies.get(q.pk) in {FamilyReply.YES, FamilyReply.PARTLY}
            for q in questions
        )
        child = respondent == Respondent.CHILD
        if better:
            words = phrases.CHILD_WORDS_BETTER if child else phrases.PARENT_WORDS_BETTER
        else:
            words = phrases.CHILD_WORDS_NOT if child else phrases.PARENT_WORDS_NOT
        own_words = self.rng.choice(words) if self.rng.random() < 0.8 else ""
        return replies, texts, own_words

    def _contact(self, audit: Audit, respondent: str, *, made: bool) -> None:
        """The auditor records the contact (or the attempt) while the audit is theirs: a
        submitted or completed audit is reopened for that moment, as it then was."""
        auditor = StaffMember.objects.get(pk=audit.auditor_id)
        when = self._heard_on(audit)
        replies, texts, own_words = self._replies(audit, respondent)
        method = self.rng.choice([ContactMethod.VISIT, ContactMethod.VISIT, ContactMethod.CALL])
        last_event = _last_event()
        status = audit.status
        Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.IN_PROGRESS)
        contact = family_contact_record(
            audit=audit,
            by=auditor,
            respondent=respondent,
            made=made,
            method=method if made else "",
            not_made_reason="" if made else self.rng.choice(phrases.CONTACT_NOT_MADE),
            own_words=own_words if made else "",
            replies=replies if made else {},
            texts=texts if made else {},
        )
        Audit.objects.filter(pk=audit.pk).update(status=status)
        FamilyContact.objects.filter(pk=contact.pk).update(
            public_id=new_uuid(self.rng), recorded_at=when
        )
        Event.objects.filter(pk__gt=last_event).update(at=when)

    def _lead(self, audit: Audit) -> StaffMember | None:
        """The audit lead who sends the family the form: the demo audit lead where they may,
        else another lead over the audit's service who did not do it."""
        if audit.team is None:
            return None
        leads = StaffMember.objects.filter(role=Role.MODERATOR, is_active=True).order_by("id")
        ordered = sorted(leads, key=lambda s: s.pk != self.c.demo["moderator"])
        for lead in ordered:
            if lead.pk != audit.auditor_id and audit.team.service_id in services_overseen(lead):
                return lead
        return None

    def _link(self, audit: Audit, sent: dt.datetime) -> tuple[FamilyLink, str]:
        """A link the lead made on `sent`, its token and public id from the seeded generator
        (the token was never given to anyone: the demo's families are not real)."""
        lead = self._lead(audit)
        if lead is None:
            raise RuntimeError("No audit lead may send this demo audit's family the form.")
        last_event = _last_event()
        link, token = family_link_create(audit=audit, respondent=Respondent.PARENT_CARER, by=lead)
        token = f"demo-{self.rng.getrandbits(128):032x}"
        expires = sent + dt.timedelta(days=FAMILY_LINK_DAYS)
        FamilyLink.objects.filter(pk=link.pk).update(
            public_id=new_uuid(self.rng),
            token_hash=token_hash(token),
            created_at=sent,
            expires_at=expires,
        )
        link.refresh_from_db()
        Event.objects.filter(pk__gt=last_event).update(
            at=sent,
            target_id=str(link.public_id),
            after={"audit": str(audit.public_id), "expires_at": expires.isoformat()},
        )
        return link, token

    def _form_answered(self, audit: Audit) -> None:
        """The lead sent a parent the online form; they opened it and answered a few days
        later, from an address of their own."""
        sent = self._heard_on(audit)
        link, token = self._link(audit, sent)
        answered = min(sent + dt.timedelta(days=self.rng.randint(1, 6)), self.now)
        client = client_key(f"demo family {link.public_id}")
        replies, texts, own_words = self._replies(audit, Respondent.PARENT_CARER)
        # The link is as it was the day it was sent, so that it still works.
        FamilyLink.objects.filter(pk=link.pk).update(
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        )
        last_event, last_use = _last_event(), _last_use()
        opened = family_form_open(token=token, client=client)
        if opened.link is None:
            raise RuntimeError(f"The demo family form link would not open: {opened.outcome}.")
        sent_back = family_form_submit(
            link=opened.link, client=client, replies=replies, texts=texts, own_words=own_words
        )
        if sent_back.contact is None:
            raise RuntimeError(f"The demo family's answers were refused: {sent_back.problem}.")
        FamilyLink.objects.filter(pk=link.pk).update(
            used_at=answered, expires_at=sent + dt.timedelta(days=FAMILY_LINK_DAYS)
        )
        FamilyContact.objects.filter(pk=sent_back.contact.pk).update(
            public_id=new_uuid(self.rng), recorded_at=answered
        )
        uses = FamilyLinkUse.objects.filter(pk__gt=last_use).order_by("pk")
        for minutes, use in zip((-9, 0), uses, strict=False):
            FamilyLinkUse.objects.filter(pk=use.pk).update(
                at=answered + dt.timedelta(minutes=minutes)
            )
        Event.objects.filter(pk__gt=last_event).update(at=answered)

    def _link_waiting(self, audit: Audit) -> None:
        """A form sent to a parent three days ago, not yet answered."""
        if self._lead(audit) is None:
            return
        self._link(audit, self.now - dt.timedelta(days=3))

    # --- the experience of being audited ---------------------------------------------------

    def experience(self) -> None:
        completed = (
            Audit.objects.filter(
                status=AuditStatus.COMPLETED,
                completed_at__isnull=False,
                pk__in=CycleAudit.objects.filter(cycle_id__in=self.cycle_ids).values("audit_id"),
            )
            .exclude(audit_type=AuditType.CALIBRATION)
            .filter(Q(practitioner__user__isnull=False))
            .select_related("practitioner", "team")
            .order_by("completed_at", "id")
        )
        recent = self.now - dt.timedelta(days=ASK_WITHIN_DAYS)
        span = max(1, (self.today - self.first).days)
        for audit in completed:
            if audit.completed_at is None:
                continue
            asked = [audit.practitioner]
            if audit.audit_type == AuditType.DEEP_DIVE:
                managers = StaffMember.objects.filter(
                    participations__audit=audit,
                    participations__role=ParticipantRole.MANAGER,
                    user__isnull=False,
                )
                asked += list(managers)
            t = min(1.0, max(0.0, (audit.completed_at.date() - self.first).days / span))
            for person in asked:
                if person is None:
                    continue
                if person.pk in self.demo_people and audit.completed_at >= recent:
                    continue  # waiting on the demo login's home page
                draw = self.rng.random()
                if draw >= ANSWERED + DECLINED:
                    continue
                when = min(
                    audit.completed_at + dt.timedelta(days=self.rng.randint(0, 12), hours=2),
                    self.now - dt.timedelta(hours=1),
                )
                last_event = _last_event()
                if draw < ANSWERED:
                    experience_answer(
                        audit=audit,
                        by=person,
                        answers={field: self._agreement(t) for field, _ in STATEMENTS},
                        do_differently=self.rng.choice(phrases.EXPERIENCE_DO_DIFFERENTLY),
                        today=when.date(),
                        now=when,
                    )
                else:
                    experience_decline(audit=audit, by=person, today=when.date(), now=when)
                Event.objects.filter(pk__gt=last_event).update(at=when)

    def _agreement(self, t: float) -> str:
        """Mostly agreeing, more so as the audit team's way of working settles in."""
        weights = [2 + 3 * t, 5 + 2 * t, 2, 1.5 - t, 0.5]
        return self.rng.choices(
            [
                Agreement.STRONGLY_AGREE,
                Agreement.AGREE,
                Agreement.NEITHER,
                Agreement.DISAGREE,
                Agreement.STRONGLY_DISAGREE,
            ],
            weights,
        )[0]


def _last_event() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _last_use() -> int:
    return FamilyLinkUse.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
