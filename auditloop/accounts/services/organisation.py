"""Writes of the council's organisation: its services and their teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from auditloop.accounts.models import Service, StaffMember, Team, actor_login
from auditloop.core.events import event_record
from auditloop.core.models import snapshot

SERVICE_FIELDS = ["name", "head_of_service"]
TEAM_FIELDS = ["name", "service"]


def _check_service(
    name: str, head_of_service: StaffMember | None, *, exclude: Service | None = None
) -> str:
    """Refuse a service without a name, with another's name, or headed by someone who has
    left; return the trimmed name. The same checks for a new service and a change."""
    if head_of_service is not None and not head_of_service.is_active:
        raise ValidationError({"head_of_service": "The head of service must be active staff."})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the service's name."})
    clash = Service.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a service called {name}."})
    return name


@transaction.atomic
def service_create(
    *, by: StaffMember, name: str, head_of_service: StaffMember | None = None
) -> Service:
    service = Service.objects.create(
        name=_check_service(name, head_of_service), head_of_service=head_of_service
    )
    event_record(
        actor=actor_login(by),
        verb="service.created",
        target=service,
        summary=f"Service {service.name} created",
        after=snapshot(service, SERVICE_FIELDS),
    )
    return service


@transaction.atomic
def service_update(
    *, service: Service, by: StaffMember, name: str, head_of_service: StaffMember | None
) -> Service:
    """Rename a service and set (or clear) its head of service."""
    before = snapshot(service, SERVICE_FIELDS)
    service.name = _check_service(name, head_of_service, exclude=service)
    service.head_of_service = head_of_service
    service.save(update_fields=["name", "head_of_service"])
    event_record(
        actor=actor_login(by),
        verb="service.updated",
        target=service,
        summary=f"Service {service.name} changed",
        before=before,
        after=snapshot(service, SERVICE_FIELDS),
    )
    return service


def _check_team_name(name: str, service: Service, *, exclude: Team | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the team's name."})
    clash = Team.objects.filter(service=service, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": f"{service.name} already has a team called {name}."})
    return name


@transaction.atomic
def team_create(*, by: StaffMember, service: Service, name: str) -> Team:
    team = Team.objects.create(service=service, name=_check_team_name(name, service))
    event_record(
        actor=actor_login(by),
        verb="team.created",
        target=team,
        summary=f"Team {team.name} created in {service.name}",
        after=snapshot(team, TEAM_FIELDS),
    )
    return team


@transaction.atomic
def team_update(*, team: Team, by: StaffMember, name: str, service: Service) -> Team:
    """Rename a team, or move it to another service (its staff and cases move with it)."""
    before = snapshot(team, TEAM_FIELDS)
    team.name = _check_team_name(name, service, exclude=team)
    team.service = service
    team.save(update_fields=["name", "service"])
    event_record(
        actor=actor_login(by),
        verb="team.updated",
        target=team,
        summary=f"Team {team.name} changed",
        before=before,
        after=snapshot(team, TEAM_FIELDS),
    )
    return team
