"""`auditloop redact < notes.jsonl > redacted.jsonl`: redacts JSON lines with the names known
to the database in use."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.learning.redaction import redactor_for_database


class Command(BaseCommand):
    help = (
        'Reads JSON lines {"id": ..., "text": ...} on standard input and writes one JSON line '
        'for each, {"id": ..., "redacted": ..., "spans": [{"start": ..., "end": ..., '
        '"label": ...}]}, redacted with the staff names, case IDs and person names known to '
        "the database in use. start and end are character offsets into the input text (Python "
        "string indices, end exclusive); label is staff, person or identifier:<kind>. A line "
        'that is not a JSON object with a string "text" gets {"line": N, "error": ...} (with '
        "its id if it has one) and the others go on; blank lines are skipped. Exits with "
        "status 1 when any line failed, 0 otherwise."
    )

    # call_command("redact", stdin=io.StringIO(...)) in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--input",
            default="-",
            help="A file of JSON lines to read instead of standard input.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: IO[str]
        if options["input"] == "-":
            source = options.get("stdin") or sys.stdin
        else:
            try:
                source = open(options["input"], encoding="utf-8")  # noqa: SIM115
            except OSError as error:
                raise CommandError(f"Cannot read {options['input']}: {error.strerror}") from None
        redactor = redactor_for_database()
        failed = 0
        try:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                result = _redact_line(redactor, number, line)
                if "error" in result:
                    failed += 1
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        finally:
            if options["input"] != "-":
                source.close()
        if failed:
            raise CommandError(
                f"{failed} line{'s' if failed != 1 else ''} could not be redacted; "
                "see their error lines.",
                returncode=1,
            )


def _redact_line(redactor: Any, number: int, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        return {"line": number, "error": f"Not valid JSON: {error.msg} (column {error.colno})."}
    if not isinstance(item, dict):
        return {"line": number, "error": 'Each line must be a JSON object with a "text".'}
    problem = None
    if "text" not in item:
        problem = 'The object has no "text".'
    elif not isinstance(item["text"], str):
        problem = '"text" must be a string.'
    if problem is not None:
        result: dict[str, Any] = {"line": number, "error": problem}
        if "id" in item:
            result["id"] = item["id"]
        return result
    redaction = redactor.redact(item["text"])
    return {
        "id": item.get("id"),
        "redacted": redaction.redacted,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in redaction.spans],
    }
