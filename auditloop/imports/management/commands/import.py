"""`auditloop import annex-a|ssda903|cin|staff FILE... [--dry-run] [--json]`."""  # noqa: N999 - the command is `auditloop import`

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.imports.models import ImportStatus
from auditloop.imports.services.runs import import_run

KINDS = {"annex-a": "annex_a", "ssda903": "ssda903", "cin": "cin", "staff": "staff"}
EXIT_REJECTED = 2


class Command(BaseCommand):
    help = (
        "Import an Annex A workbook, SSDA903 tables, a CIN census file or a staff list. "
        "Exit code 0 when imported or unchanged (even with cell issues), 2 when rejected."
    )
    # No system checks: they find nothing an import could change, and they run where the code
    # or the settings change: `auditloop migrate` and `auditloop check --deploy` in a
    # deployment, and the suite and CI. Every check imports the whole URL conf, every view and
    # the reports' libraries (4 s of CPU on a loaded machine); the model and database checks
    # this command ran until now cost 0.04 s of a nightly import's start-up.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the files are")
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report without writing anything"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
        result = import_run(kind=KINDS[options["kind"]], files=files, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"{result.status}: {result.message}")
            for issue in result.issues:
                where = ", ".join(
                    part
                    for part in (
                        issue.sheet,
                        f"row {issue.row}" if issue.row else "",
                        issue.column,
                    )
                    if part
                )
                self.stdout.write(f"  {issue.severity}: {where}: {issue.message}")
        if result.status in {ImportStatus.REJECTED, ImportStatus.FAILED}:
            raise SystemExit(EXIT_REJECTED)
