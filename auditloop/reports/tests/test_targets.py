"""The targets the council sets: read by audit leads and senior leaders; a service's set by
those overseeing it, a council-wide one only by those overseeing every service; 0 to 100."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.services.targets import target_remove, target_set
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

INADEQUATE = TargetMeasure.INADEQUATE_AT_MOST
GOOD = TargetMeasure.GOOD_AT_LEAST


def director(p: Personas) -> StaffMember:
    """A senior leader overseeing every service of the council."""
    return make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north, p.south])


def test_a_leader_over_every_service_sets_a_council_wide_target(p: Personas) -> None:
    by = director(p)
    target = target_set(measure=INADEQUATE, percent=10, service=None, by=by)
    assert (target.service, target.percent, target.set_by) == (None, 10, by)
    event = Event.objects.get(verb="target.set")
    assert event.after == {"measure": INADEQUATE, "percent": 10, "service": None}
    assert event.before == {}


def test_setting_a_target_again_changes_it_and_records_the_share_before(p: Personas) -> None:
    by = director(p)
    target_set(measure=GOOD, percent=40, service=None, by=by)
    changed = target_set(measure=GOOD, percent=45, service=None, by=by)
    assert Target.objects.get().percent == 45 == changed.percent
    event = Event.objects.filter(verb="target.set").latest("id")
    assert (event.before, event.after["percent"]) == ({"percent": 40}, 45)


def test_an_audit_lead_over_one_service_sets_its_target_but_not_a_council_wide_one(
    p: Personas,
) -> None:
    target_set(measure=INADEQUATE, percent=8, service=p.north, by=p.moderator)
    with pytest.raises(Refused, match="overseeing every service sets a council-wide"):
        target_set(measure=INADEQUATE, percent=10, service=None, by=p.moderator)
    with pytest.raises(Refused):
        target_set(measure=INADEQUATE, percent=10, service=p.south, by=p.moderator)
    assert list(Target.objects.values_list("service__name", "percent")) == [("North", 8)]


def test_a_share_outside_0_to_100_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="from 0 to 100") as refused:
        target_set(measure=GOOD, percent=101, service=p.north, by=p.moderator)
    assert refused.value.field == "percent"


def test_a_team_manager_sets_no_target(p: Personas) -> None:
    with pytest.raises(Refused):
        target_set(measure=GOOD, percent=40, service=p.north, by=p.team_manager)


def test_removing_a_target_records_what_it_was(p: Personas) -> None:
    target = target_set(measure=GOOD, percent=40, service=p.north, by=p.senior_leader)
    target_remove(target=target, by=p.senior_leader)
    assert not Target.objects.exists()
    event = Event.objects.get(verb="target.removed")
    assert event.before == {"measure": GOOD, "percent": 40, "service": str(p.north.public_id)}


def test_a_target_is_removed_only_by_someone_overseeing_where_it_applies(p: Personas) -> None:
    target = target_set(measure=GOOD, percent=40, service=None, by=director(p))
    with pytest.raises(Refused):
        target_remove(target=target, by=p.moderator)
    assert Target.objects.exists()


# Pages


def test_leads_and_senior_leaders_read_every_target(p: Personas) -> None:
    by = director(p)
    target_set(measure=INADEQUATE, percent=10, service=None, by=by)
    target_set(measure=GOOD, percent=50, service=p.south, by=by)
    for who in ("moderator", "senior_leader"):
        page = p.client_for(getattr(p, who)).get(reverse("reports:targets")).content.decode()
        assert "Council-wide" in page and "No more than 10% Inadequate" in page
        assert "South" in page and "At least 50% Good or better" in page


def test_other_roles_are_refused_the_targets(p: Personas) -> None:
    for who in ("practitioner", "team_manager", "auditor", "board_member", "administrator"):
        response = p.client_for(getattr(p, who)).get(reverse("reports:targets"))
        assert response.status_code == 403, who


def test_a_lead_changes_and_removes_only_the_targets_they_oversee(p: Personas) -> None:
    council = target_set(measure=INADEQUATE, percent=10, service=None, by=director(p))
    north = target_set(measure=INADEQUATE, percent=12, service=p.north, by=p.moderator)
    client = p.client_for(p.moderator)
    page = client.get(reverse("reports:targets")).content.decode()
    assert reverse("reports:target_change", args=[north.public_id]) in page
    assert reverse("reports:target_change", args=[council.public_id]) not in page
    for name in ("reports:target_change", "reports:target_remove"):
        assert client.get(reverse(name, args=[council.public_id])).status_code == 403
        assert client.post(reverse(name, args=[council.public_id]), {"percent": 5}).status_code == (
            403
        )
    assert Target.objects.get(pk=council.pk).percent == 10


def test_a_lead_sets_a_target_with_the_form(p: Personas) -> None:
    client = p.client_for(p.senior_leader)
    form = client.get(reverse("reports:target_create")).content.decode()
    assert "Council-wide" not in form  # oversees North alone
    response = client.post(
        reverse("reports:target_create"),
        {"measure": GOOD, "where": str(p.north.public_id), "percent": "40"},
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.measure, target.service, target.percent) == (GOOD, p.north, 40)


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("", "Enter the target as a whole number from 0 to 100"),
        ("forty", "The target must be a whole number from 0 to 100"),
        ("101", "The target must be 100 or less"),
        ("-1", "The target must be 0 or more"),
    ],
)
def test_a_share_that_is_not_0_to_100_gets_a_clear_error(
    p: Personas, percent: str, message: str
) -> None:
    response = p.client_for(p.moderator).post(
        reverse("reports:target_create"),
        {"measure": GOOD, "where": str(p.north.public_id), "percent": percent},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(message) == 2  # the error summary and the field
    assert "<title>Error: " in page
    assert not Target.objects.exists()


def test_a_council_wide_target_posted_by_a_lead_over_one_service_is_refused(p: Personas) -> None:
    response = p.client_for(p.moderator).post(
        reverse("reports:target_create"), {"measure": GOOD, "where": "council", "percent": "40"}
    )
    assert "Choose where the target applies from the list" in response.content.decode()
    assert not Target.objects.exists()


def test_a_lead_changes_a_targets_share_and_removes_it(p: Personas) -> None:
    target = target_set(measure=GOOD, percent=40, service=p.north, by=p.moderator)
    client = p.client_for(p.moderator)
    response = client.post(
        reverse("reports:target_change", args=[target.public_id]), {"percent": "150"}
    )
    assert "The target must be 100 or less" in response.content.decode()
    response = client.post(
        reverse("reports:target_change", args=[target.public_id]), {"percent": "45"}
    )
    assert response.status_code == 302
    assert Target.objects.get().percent == 45
    assert (
        "Remove this target?"
        in client.get(reverse("reports:target_remove", args=[target.public_id])).content.decode()
    )
    assert client.post(reverse("reports:target_remove", args=[target.public_id])).status_code == 302
    assert not Target.objects.exists()


def test_a_target_someone_else_set_a_moment_before_is_changed_not_refused(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    by = director(p)
    other = make_staff("director2", "Dana Deputy", Role.SENIOR_LEADER, services=[p.north, p.south])
    target_set(measure=GOOD, percent=40, service=None, by=other)
    # The lock finds nothing the first time, as when the other person's row was not committed
    # yet when this one looked: the row appears between the look and the write.
    real = QuerySet.select_for_update
    looks: list[int] = []

    def not_there_yet(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        looks.append(1)
        return self.none() if len(looks) == 1 else real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", not_there_yet)
    changed = target_set(measure=GOOD, percent=45, service=None, by=by)
    assert Target.objects.get() == changed
    assert (changed.percent, changed.set_by) == (45, by)
    event = Event.objects.filter(verb="target.set").latest("id")
    assert (event.before, event.after["percent"]) == ({"percent": 40}, 45)
