"""A thematic draw carries its theme to every audit it creates."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from auditloop.audits.models import Audit
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, SampleDraw
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas

MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def themed(cycle: Cycle) -> Cycle:
    cycle.audit_types = ["dip_sample", "thematic"]
    cycle.save()
    return cycle


def _draw(p: Personas, cycle: Cycle, audit_type: str, theme: str) -> SampleDraw:
    return draw_save(
        spec=DrawSpec(seed=2, size=2, team_id=p.north_b.pk),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type=audit_type,
            tool_version=p.quality_tool,
            planned_month=MAY,
            create_audits=True,
            theme=theme,
        ),
    ).draw


def test_a_thematic_draw_passes_its_theme_to_the_audits(p: Personas, themed: Cycle) -> None:
    cases_make(4, team=p.north_b, prefix="NB")
    draw = _draw(p, themed, "thematic", "  Exploitation outside the home ")
    assert draw.theme == "Exploitation outside the home"
    themes = set(Audit.objects.filter(cycle_link__draw=draw).values_list("theme", flat=True))
    assert themes == {"Exploitation outside the home"}


def test_a_thematic_draw_without_a_theme_is_refused(p: Personas, themed: Cycle) -> None:
    with pytest.raises(Refused, match="theme") as refused:
        _draw(p, themed, "thematic", "")
    assert refused.value.field == "theme"
    assert not SampleDraw.objects.exists()


def test_only_a_thematic_draw_has_a_theme(p: Personas, themed: Cycle) -> None:
    with pytest.raises(Refused, match="Only a thematic audit"):
        _draw(p, themed, "dip_sample", "Neglect")


def _post(p: Personas, **extra: str) -> dict[str, str]:
    data = {
        "exclude_months": "12",
        "stratify": "none",
        "allocation": "proportional",
        "size_method": "count",
        "size": "2",
        "confidence": "0.95",
        "seed": "7",
        "audit_type": "thematic",
        "tool_version": str(p.quality_tool.pk),
        "planned_month": MAY.isoformat(),
        "create_audits": "on",
        "action": "save",
    }
    data.update(extra)
    return data


def test_the_draw_form_asks_for_the_theme_of_a_thematic_audit(p: Personas, themed: Cycle) -> None:
    cases_make(4, team=p.north_b, prefix="NB")
    client = p.client_for(p.moderator)
    url = reverse("sampling:draw_create", args=[themed.public_id])
    missing = client.post(url, _post(p, theme=""))
    assert missing.status_code == 200
    assert "Enter the theme of the thematic audits." in missing.content.decode()
    assert not SampleDraw.objects.exists()
    saved = client.post(url, _post(p, theme="Neglect"))
    assert saved.status_code == 302
    assert set(Audit.objects.values_list("theme", flat=True)) == {"Neglect"}


def test_the_draw_form_drops_a_theme_given_for_another_type(p: Personas, themed: Cycle) -> None:
    cases_make(4, team=p.north_b, prefix="NB")
    response = p.client_for(p.moderator).post(
        reverse("sampling:draw_create", args=[themed.public_id]),
        _post(p, audit_type="dip_sample", theme="Neglect", tool_version=str(p.compliance_tool.pk)),
    )
    assert response.status_code == 302
    assert SampleDraw.objects.get().theme == ""
