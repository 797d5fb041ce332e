"""The access log names a record from an app above accounts in the readers' words."""

from __future__ import annotations

from django.urls import reverse

from auditloop.accounts.log_words import purpose_label
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.sampling.models import SampleDraw
from auditloop.testing import Personas


def test_the_access_log_names_a_sample_draw_in_words(p: Personas) -> None:
    draw = SampleDraw.objects.create(seed=1, population_size=0, size=0, filters={})
    access_shown(user=p.moderator.user, targets=[draw], purpose=Purpose.PICK_LIST)
    page = p.client_for(p.administrator).get(reverse("accounts:access_log")).content.decode()
    assert "Sample draw" in page
    assert "Sampledraw" not in page
    assert purpose_label("pick list") in page
