"""Every app's refusal is the one refusal, so any view can show it the one way."""

from __future__ import annotations

from auditloop.assurance.services.regrade import GradesIncomplete
from auditloop.audits.services.audits import AuditIncomplete
from auditloop.audits.services.tool_files import ToolFileProblems
from auditloop.core.refusals import Refused
from auditloop.core.versions import RecordChanged


def test_there_is_one_refusal_and_only_a_refusal_with_problems_extends_it() -> None:
    # The app refusals (AuditRefused, SamplingRefused, ImportRefused, ApiTokenRefused,
    # ToolChangeError) are gone; an incomplete audit carries the problems its page marks, and
    # an incomplete regrade, agreement or decision the grades and reasons its page marks; a
    # save from an out-of-date page the record's version now, for the form shown again; an
    # audit tool file its problems by sheet, row and column.
    assert set(Refused.__subclasses__()) == {
        AuditIncomplete,
        GradesIncomplete,
        RecordChanged,
        ToolFileProblems,
    }
    for refused in (AuditIncomplete([]), GradesIncomplete("Not yet", [])):
        assert isinstance(refused, Refused)
