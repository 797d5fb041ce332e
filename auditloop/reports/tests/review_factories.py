"""A small council's cycle for the cycle review's tests: audits of three teams (one too small to
show), a cycle before it and one planned after it, published key messages, an escalation, a
training need and event, a sample draw's exclusions and the council's targets. Staff names and
child IDs are known, so that a test can look for them in every format."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.models import Audit, AuditType, Escalation
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageStatus,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
)
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.models import Target, TargetMeasure
from auditloop.sampling.models import Cycle, Quota, QuotaKind, SampleDraw
from auditloop.testing import Personas

CHILD_ID = "NS-778812"
# Names no word of the review could hold by chance, so that a test can look for each part.
TEAM_NAMES = {"North A": "Kestrelmoor", "North B": "Fernhallow", "South A": "Quaysedge"}
STAFF_NAMES = [
    "Zebedee Quarrington",
    "Xanthe Pemberwick",
    "Ottoline Farquharson",
    "Peregrine Maltravers",
    "Cressida Vantongeren",
    "Barnaby Ashgrove-Tull",
    "Hermione Stradbrook",
    "Leopold Winterbourne",
    "Isadora Kettleworth",
    "Thaddeus Blackmoor",
    "Philippa Droitwich",
    "Rupert Sallowfield",
    "Clementine Yarwood",
    "Evangeline Moxbury",
    "Fitzwilliam Carraway",
    "Gwendolyn Pettigrew",
    "Horatio Blenkinsop",
    "Ignatius Wolstenholme",
    "Jessamine Throckley",
    "Lysander Quennell",
    "Marigold Fotheringay",
    "Octavia Brackenbury",
    "Percival Oakenshaw",
    "Rosalind Eddersley",
]


@dataclass
class ReviewCouncil:
    cycle: Cycle
    last: Cycle
    upcoming: Cycle
    audits: list[Audit]
    names: list[str]


def review_council(p: Personas, *, key_messages: int = 2) -> ReviewCouncil:
    p.case.la_child_id = CHILD_ID
    p.case.save()
    last = cycle_of(p, "October 2025 to March 2026", datetime.date(2025, 10, 1))
    cycle = cycle_of(p, "April to September 2026", datetime.date(2026, 4, 1))
    upcoming = cycle_of(p, "October 2026 to March 2027", datetime.date(2026, 10, 1))
    upcoming.tools.set([p.quality_tool])
    upcoming.audit_types = [AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE]
    upcoming.save()
    Quota.objects.create(
        cycle=upcoming, kind=QuotaKind.PER_TEAM, audit_type=AuditType.DIP_SAMPLE, per_month=10
    )
    Quota.objects.create(
        cycle=upcoming,
        kind=QuotaKind.PER_AUDITOR,
        audit_type=AuditType.DEEP_DIVE,
        per_month=2,
        role=Role.TEAM_MANAGER,
    )
    audits = []
    # North A: six audits, two of them Inadequate; North B: five, all Good; South A: two.
    for overall in ["good", "good", "good", "requires_improvement", "inadequate", "inadequate"]:
        audits.append(counted_audit(p, cycle, team=p.north_a, overall=overall))
    for _ in range(5):
        audits.append(
            counted_audit(p, cycle, team=p.north_b, overall="good", audit_type=AuditType.THEMATIC)
        )
    for _ in range(2):
        audits.append(counted_audit(p, cycle, team=p.south_a, overall="outstanding"))
    for overall in ["inadequate"] * 3 + ["good"] * 3:
        counted_audit(p, last, team=p.north_a, overall=overall)
    Audit.objects.filter(team=p.north_b).update(theme="Neglect")
    Escalation.objects.create(audit=audits[4], raised_by=p.auditor, reason="No visit for Jo.")
    published = timezone.now()
    for n in range(key_messages):
        KeyMessage.objects.create(
            title=f"Draft title by {p.moderator.name}",
            cycle=cycle,
            status=KeyMessageStatus.PUBLISHED,
            published_at=published,
            author=p.moderator,
            published_text={
                "title": f"Key message {n + 1}",
                "what_we_found": f"Plans in Kestrelmoor were clearer (message {n + 1}).",
            },
        )
    need = TrainingNeed.objects.create(
        cycle=cycle, team=p.north_a, title="Planning", status=TrainingNeedStatus.MET
    )
    TrainingNeed.objects.create(cycle=cycle, team=p.north_b, title="Voice of the child")
    event = TrainingEvent.objects.create(
        title="Planning workshop", held_on=datetime.date(2026, 6, 1)
    )
    need.events.add(event)
    for staff in StaffMember.objects.filter(team=p.north_a):
        TrainingAttendance.objects.create(event=event, staff=staff)
    SampleDraw.objects.create(
        cycle=cycle,
        seed=1,
        population_size=40,
        size=10,
        exclusions={"Audited in the last 12 months": [1, 2, 3, 4, 5, 6], "Held or managed": [7]},
    )
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=10)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=40)
    for team in Team.objects.all():
        team.name = TEAM_NAMES.get(team.name, team.name)
        team.save()
    staff_members = list(StaffMember.objects.order_by("pk"))
    if len(staff_members) > len(STAFF_NAMES):
        raise ValueError("Give every member of staff one of the test's names.")
    for staff, name in zip(staff_members, STAFF_NAMES, strict=False):
        staff.name = name
        staff.save()
    staff_names = list(StaffMember.objects.values_list("name", flat=True))
    return ReviewCouncil(
        cycle=cycle, last=last, upcoming=upcoming, audits=audits, names=staff_names
    )
