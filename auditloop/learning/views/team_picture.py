"""The team picture: a team's grades by domain, overall grades and their trend, compliance by
check and themes, for a cycle, with small groups suppressed; and its CSV export."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.learning.access.team_picture import (
    TEAM_PICTURE_ROLES,
    get_team_for_picture,
    team_picture_filter,
)
from auditloop.learning.forms.team_picture import TeamPictureCycleForm
from auditloop.learning.rules.suppression import MIN_PEOPLE
from auditloop.learning.selectors.team_picture import (
    small_group_min,
    suppressed_note,
    team_picture,
    team_picture_cycles,
    team_picture_teams,
)
from auditloop.learning.services.team_picture import team_picture_export


@roles_required(*TEAM_PICTURE_ROLES)
def team_picture_choose(request: StaffRequest) -> HttpResponse:
    """A team manager goes straight to their own team's picture; anyone else picks a team."""
    staff = request.staff
    teams = list(team_picture_teams(team_picture_filter(staff)))
    own = [team for team in teams if team.pk == staff.team_id]
    if staff.role == Role.TEAM_MANAGER and own:
        return redirect("learning:team_picture", public_id=own[0].public_id)
    return render(request, "learning/team_picture/choose.html", {"teams": teams})


@roles_required(*TEAM_PICTURE_ROLES)
def team_picture_page(request: StaffRequest, public_id: UUID) -> HttpResponse:
    team = get_team_for_picture(request.user, public_id)
    cycles = team_picture_cycles(team, request.staff)
    form = TeamPictureCycleForm(request.GET if "cycle" in request.GET else None, cycles=cycles)
    cycle = form.chosen()
    picture = team_picture(team, cycle, request.staff) if cycle is not None else None
    return render(
        request,
        "learning/team_picture/page.html",
        {
            "team": team,
            "form": form,
            "cycles": cycles,
            "picture": picture,
            "threshold": small_group_min(),
            "min_people": MIN_PEOPLE,
            "suppressed_note": suppressed_note(),
            "can_choose_team": request.staff.role != Role.TEAM_MANAGER,
        },
    )


@roles_required(*TEAM_PICTURE_ROLES)
def team_picture_export_csv(request: StaffRequest, public_id: UUID) -> HttpResponse:
    team = get_team_for_picture(request.user, public_id)
    cycles = team_picture_cycles(team, request.staff)
    form = TeamPictureCycleForm(request.GET if "cycle" in request.GET else None, cycles=cycles)
    cycle = form.chosen()
    if cycle is None:
        return redirect("learning:team_picture", public_id=team.public_id)
    text = team_picture_export(picture=team_picture(team, cycle, request.staff), by=request.staff)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    # Named by the team's and cycle's references and the cycle's start: never a person's name.
    filename = f"team-picture-{team.public_id.hex[:8]}-{cycle.starts_on:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("team-picture/", team_picture_choose, name="team_picture_choose"),
    path("team-picture/<uuid:public_id>/", team_picture_page, name="team_picture"),
    path(
        "team-picture/<uuid:public_id>/export.csv",
        team_picture_export_csv,
        name="team_picture_export",
    ),
]
