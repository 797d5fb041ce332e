"""The demo council's key messages, compiled from whatever learning points the council has, by
the product's own services: for the latest complete cycle, one published to every service and
one to the demo practitioner's team (most recipients have acknowledged them, a few not, the demo
practitioner and manager not the team's, so that it waits on their home pages), one in
review and one draft, all by the demo audit lead (login `moderator`), each reviewed by another
lead.

Built after the rest of the council, from the build's seeded generator (who has acknowledged),
so the same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.core.models import Event, Notification
from auditloop.demo.council import Council, new_uuid
from auditloop.learning.models import KeyMessage, KeyMessageRecipient
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.selectors.key_message_texts import (
    parts_redacted,
    text_digest,
    text_to_publish,
)
from auditloop.learning.selectors.key_messages import Scope, reviewers_for
from auditloop.learning.services.key_messages import (
    ExampleEdit,
    key_message_acknowledge,
    key_message_compile,
    key_message_publish,
    key_message_redaction_add,
    key_message_submit,
    key_message_update,
)
from auditloop.sampling.models import Cycle

# The share of recipients who have acknowledged a published message.
ACKNOWLEDGED = 0.8

WHY_IT_MATTERS = (
    "Children tell us that what helps most is a worker who knows them, sees them on their own "
    "and writes down what they said in their own words. When plans drift, children wait longer "
    "for the help they need, and the risks to them are not reviewed in time."
)
WHAT_GOOD_LOOKS_LIKE = (
    "The child is seen alone at every visit and their words are recorded as they said them. "
    "The plan names what must change, by whom and by when, and is reviewed in supervision. "
    "Fathers and the wider family are asked to take part, and the record says what they said."
)
WHAT_TO_DO_NEXT = (
    "Before your next visit, read the child's last three case notes and the plan's actions. "
    "Record the child's own words. Bring one case to your next supervision where the plan has "
    "not moved in the last month, and agree with your manager what will change."
)


def _latest_complete_cycle(today: dt.date) -> Cycle | None:
    return (
        Cycle.objects.filter(ends_on__lt=today).order_by("-ends_on", "-id").first()
        or Cycle.objects.order_by("-ends_on", "-id").first()
    )


def _written(message: KeyMessage, author: StaffMember, *, extra: str = "") -> KeyMessage:
    """The lead writes the three parts the product leaves as starter text."""
    return key_message_update(
        key_message=message,
        by=author,
        title=message.title,
        parts={
            "what_we_found": message.what_we_found,
            "why_it_matters": WHY_IT_MATTERS,
            "what_good_looks_like": WHAT_GOOD_LOOKS_LIKE + extra,
            "what_to_do_next": WHAT_TO_DO_NEXT,
        },
        examples=[ExampleEdit(str(e["text"])) for e in message.examples],
    )


def _reviewer(message: KeyMessage) -> StaffMember:
    """Another lead over the message's services, else a senior leader over them."""
    eligible = reviewers_for(message)
    leads = [s for s in eligible if s.role == Role.MODERATOR and s.user_id is not None]
    others = [s for s in eligible if s.user_id is not None]
    if not (leads or others):
        raise RuntimeError("The demo council has no second person to review a key message.")
    return (leads or others)[0]


def _published(
    message: KeyMessage,
    author: StaffMember,
    rng: random.Random,
    *,
    unread_by: frozenset[int] = frozenset(),
) -> KeyMessage:
    """Submitted, reviewed and published; most recipients have read it, but never those in
    `unread_by` (the demo logins, who find it on their home page to read)."""
    message = key_message_submit(key_message=_written(message, author), by=author)
    reviewer = _reviewer(message)
    seen = text_digest(text_to_publish(parts_redacted(message, redactor_for_database())))
    message = key_message_publish(key_message=message, by=reviewer, seen=seen)
    for row in KeyMessageRecipient.objects.filter(key_message=message).select_related("staff"):
        read = rng.random() < ACKNOWLEDGED
        if read and row.staff.user_id is not None and row.staff_id not in unread_by:
            key_message_acknowledge(key_message=message, by=row.staff)
    return message


def _compiled(author: StaffMember, scope: Scope, rng: random.Random) -> KeyMessage:
    """Compiled by the service, given a public id from the seeded generator (before anyone is
    told of it), so that the same seed gives the same addresses."""
    message = key_message_compile(by=author, scope=scope)
    old, new = str(message.public_id), new_uuid(rng)
    KeyMessage.objects.filter(pk=message.pk).update(public_id=new)
    Event.objects.filter(target_type="learning.keymessage", target_id=old).update(
        target_id=str(new)
    )
    message.refresh_from_db()
    return message


def _last_pk(model: type[Event] | type[Notification]) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _restamped(
    today: dt.date, cycle: Cycle, events_after: int, notes_after: int, rng: random.Random
) -> None:
    """Put what the services stamped with the time of the build at fixed past times: the
    messages were compiled after the cycle ended and published soon after, and each reader
    acknowledged within days. The same day gives the same rows, whenever the demo is built."""
    day = min(cycle.ends_on + dt.timedelta(days=14), today - dt.timedelta(days=7))
    published = dt.datetime.combine(day, dt.time(10, 0), dt.UTC)
    compiled = published - dt.timedelta(days=5)
    submitted = published - dt.timedelta(days=2)
    KeyMessage.objects.update(created_at=compiled, updated_at=submitted)
    KeyMessage.objects.exclude(submitted_at=None).update(submitted_at=submitted)
    KeyMessage.objects.exclude(published_at=None).update(published_at=published)
    KeyMessageRecipient.objects.update(sent_at=published)
    KeyMessageRecipient.objects.exclude(emailed_at=None).update(emailed_at=published)
    acknowledged = KeyMessageRecipient.objects.exclude(acknowledged_at=None).order_by("pk")
    for n, row in enumerate(acknowledged):
        row.acknowledged_at = published + dt.timedelta(hours=2 + (n * 7) % 96)
    KeyMessageRecipient.objects.bulk_update(acknowledged, ["acknowledged_at"])
    Event.objects.filter(pk__gt=events_after).update(at=published)
    notes = list(Notification.objects.filter(pk__gt=notes_after).order_by("pk"))
    for note in notes:
        note.created_at = published
        note.public_id = new_uuid(rng)
    Notification.objects.bulk_update(notes, ["created_at", "public_id"])


def key_messages_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    """The four key messages (the builder's one call for this part)."""
    cycle = _latest_complete_cycle(today)
    if cycle is None:
        return
    events_after, notes_after = _last_pk(Event), _last_pk(Notification)
    author = StaffMember.objects.get(pk=council.demo["moderator"])
    demo_team_id = council.team_of[council.demo["practitioner"]]
    if demo_team_id is None:
        raise RuntimeError("The demo practitioner has no team.")
    demo_team = Team.objects.get(pk=demo_team_id)
    demo_service = Service.objects.get(pk=demo_team.service_id)
    _published(_compiled(author, Scope(cycle=cycle), rng), author, rng)
    # The demo practitioner and their manager have not read their team's message yet.
    unread_by = frozenset({council.demo["practitioner"], council.demo["manager"]})
    _published(
        _compiled(author, Scope(cycle=cycle, team=demo_team), rng),
        author,
        rng,
        unread_by=unread_by,
    )
    # In review: the lead wrote a practitioner's first name into it, which the reviewer sees
    # redacted; the reviewer has already redacted a school's name.
    practitioner = StaffMember.objects.get(pk=council.demo["practitioner"])
    first_name = practitioner.name.split()[0]
    in_review = _compiled(author, Scope(cycle=cycle, service=demo_service), rng)
    in_review = _written(
        in_review,
        author,
        extra=(
            f" {first_name}'s visits to a boy at Larkfield Primary are a good example: he was "
            "seen alone each time and his words are in the record."
        ),
    )
    in_review = key_message_submit(key_message=in_review, by=author)
    key_message_redaction_add(
        key_message=in_review,
        by=_reviewer(in_review),
        text="Larkfield Primary",
        label="identifier:school",
    )
    # A draft for another team of the demo service, just compiled.
    other_team = (
        Team.objects.filter(service_id=demo_team.service_id)
        .exclude(pk=demo_team.pk)
        .order_by("name")
        .first()
    )
    _compiled(author, Scope(cycle=cycle, team=other_team or demo_team), rng)
    _restamped(today, cycle, events_after, notes_after, rng)
