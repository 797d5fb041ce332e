"""Every app's refusal is the one refusal, so any view can show it the one way."""

from __future__ import annotations

import pytest

from auditloop.api.services import ApiTokenRefused
from auditloop.core.refusals import Refused
from auditloop.imports.services import ImportRefused
from auditloop.sampling.services import SamplingRefused


@pytest.mark.parametrize("refusal", [SamplingRefused, ImportRefused, ApiTokenRefused])
def test_each_apps_refusal_is_a_refused_with_its_message(refusal: type[Refused]) -> None:
    refused = refusal("Not allowed.")
    assert isinstance(refused, Refused)
    assert (refused.message, refused.field) == ("Not allowed.", None)
