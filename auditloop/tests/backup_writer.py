"""A busy council for the backup test, in its own process: imports case lists and saves
audits, one transaction each, until a stop file appears. After each commit it prints one line,
so the test knows what was committed before it took the backup:

    committed import <n>          the import of <ROWS> new cases BK<n:04d><k:02d>
    committed audit <public id>   an audit created and every question answered

Run as `python -m auditloop.tests.backup_writer STOP_FILE` with DATABASE_URL set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

ROWS = 20
MOST_ROUNDS = 400


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    # Django is set up only now, so these imports come after it.
    from auditloop.accounts.models import Role, StaffMember
    from auditloop.audits.models import AuditTool, AuditType
    from auditloop.audits.services.planning import audit_create
    from auditloop.audits.tests.audit_factories import answer_fully
    from auditloop.cases.models import ChildCase
    from auditloop.imports.models import ImportKind
    from auditloop.imports.services.runs import import_run
    from auditloop.imports.tests.builders import list_6, list_6_row

    stop = Path(sys.argv[1])
    auditor = StaffMember.objects.get(user__username="auditor")
    moderator = StaffMember.objects.get(role=Role.MODERATOR, user__username="moderator")
    tool = AuditTool.objects.get(slug="compliance-dip-sample").current_version
    assert tool is not None
    for n in range(MOST_ROUNDS):
        if stop.exists():
            break
        rows = [list_6_row(f"BK{n:04d}{k:02d}") for k in range(ROWS)]
        result = import_run(kind=ImportKind.ANNEX_A, files=[(f"backup-{n}.xlsx", list_6(*rows))])
        assert result.status == "imported", result.message
        print(f"committed import {n}", flush=True)  # noqa: T201
        audit = audit_create(
            case=ChildCase.objects.get(la_child_id=f"BK{n:04d}00"),
            tool_version=tool,
            audit_type=AuditType.DIP_SAMPLE,
            auditor=auditor,
            by=moderator,
        )
        answer_fully(audit)
        print(f"committed audit {audit.public_id}", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
