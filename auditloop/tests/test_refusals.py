"""Every app's refusal is the one refusal, so any view can show it the one way."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from auditloop.audits.services.audits import AuditRefused
from auditloop.audits.services.tools import ToolChangeError
from auditloop.core.refusals import Refused


@pytest.mark.parametrize("refusal", [AuditRefused, ToolChangeError])
def test_each_apps_refusal_is_a_refused_with_its_message(refusal: type[Refused]) -> None:
    refused = refusal("Not allowed.")
    assert isinstance(refused, Refused)
    assert (refused.message, refused.field) == ("Not allowed.", None)


def test_a_tool_change_refusal_is_still_a_validation_error_for_its_views() -> None:
    refused = ToolChangeError("Enter a title for the section.")
    assert isinstance(refused, ValidationError)
    assert refused.messages == ["Enter a title for the section."]
