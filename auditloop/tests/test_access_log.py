"""The access-log mechanism: a request's reads are written once, at its end, in one insert; a
database that refuses the write (SQLite locked by a long import) never turns the read into an
error page, and the reads wait in a spool on disk until they can be written."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core import accesslog
from auditloop.core.accesslog import (
    Purpose,
    access_log_replay,
    access_shown,
    reads_collected,
    spooled_files,
)
from auditloop.core.checks import access_log_spool_check, access_log_spool_writable_check
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

LOCKED = "database is locked"


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    # The retry's pause is real time in production; a test has no reason to wait.
    monkeypatch.setattr(accesslog, "RETRY_PAUSE_SECONDS", 0)


@contextmanager
def access_log_inserts_fail(
    times: int | None = None, error: type[Exception] = OperationalError
) -> Iterator[list[str]]:
    """Make the database refuse inserts into the access log, as SQLite does while another
    process holds the write lock: the first `times` of them, or all. Yields the refused SQL."""
    refused: list[str] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.startswith('INSERT INTO "core_accesslog"') and (
            times is None or len(refused) < times
        ):
            refused.append(sql)
            raise error(LOCKED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused


def _audits(p: Personas, n: int) -> list[Audit]:
    return [make_audit(p, status=AuditStatus.SUBMITTED) for _ in range(n)]


def _logged(p: Personas) -> set[str]:
    return set(
        AccessLog.objects.filter(user=p.moderator.user, purpose="listed").values_list(
            "target_id", flat=True
        )
    )


def _inserts(captured: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('INSERT INTO "core_accesslog"') for q in captured)


# One insert per request --------------------------------------------------------------------


def test_a_list_page_writes_every_read_in_one_insert_whatever_the_number_of_rows(
    p: Personas,
) -> None:
    client = p.client_for(p.moderator)
    _audits(p, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audits:list"))
    assert _inserts(few) == 1
    assert len(_logged(p)) == 3
    AccessLog.objects.all().delete()
    _audits(p, 37)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("audits:list"))
    assert _inserts(many) == 1
    assert len(_logged(p)) == 40
    assert len(many) == len(few)


def test_the_reads_are_written_after_the_page_is_rendered_not_while_it_is_built(
    p: Personas,
) -> None:
    _audits(p, 2)
    with CaptureQueriesContext(connection) as captured:
        p.client_for(p.moderator).get(reverse("audits:list"))
    sql = [q["sql"] for q in captured]
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "core_accesslog"'))
    # Only the session's save (after the page) follows the one insert.
    assert all("core_accesslog" not in s for s in sql[insert + 1 :])
    assert not any(s.startswith("SELECT") for s in sql[insert + 1 :])


def test_the_same_audit_shown_twice_for_the_same_purpose_is_one_row(p: Personas) -> None:
    audit = make_audit(p)
    with reads_collected():
        access_shown(user=p.moderator.user, targets=[audit, audit], purpose=Purpose.LISTED)
        access_shown(user=p.moderator.user, targets=[audit], purpose=Purpose.LISTED)
        access_shown(user=p.moderator.user, targets=[audit], purpose=Purpose.VIEW)
        assert not AccessLog.objects.exists()
    assert sorted(AccessLog.objects.values_list("purpose", flat=True)) == ["listed", "view"]


def test_outside_a_request_a_read_is_written_at_once(p: Personas) -> None:
    access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
    row = AccessLog.objects.get()
    assert (row.user, row.target_type, row.target_id, row.purpose) == (
        p.moderator.user,
        "cases.childcase",
        str(p.case.public_id),
        "view",
    )


def test_more_reads_than_one_statement_holds_are_written_whole_with_the_time_of_each(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accesslog, "INSERT_BATCH_ROWS", 2)
    audits = _audits(p, 5)
    with CaptureQueriesContext(connection) as captured:
        access_shown(user=p.moderator.user, targets=audits, purpose=Purpose.LISTED)
    assert _inserts(captured) == 3
    rows = AccessLog.objects.filter(user=p.moderator.user, purpose="listed")
    assert sorted(rows.values_list("target_id", flat=True)) == sorted(
        str(audit.public_id) for audit in audits
    )
    assert {row.target_type for row in rows} == {"audits.audit"}
    [when] = {row.at for row in rows}
    assert abs((timezone.now() - when).total_seconds()) < 60


def test_reads_refused_part_way_through_are_all_spooled_and_none_written_twice(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accesslog, "INSERT_BATCH_ROWS", 2)
    audits = _audits(p, 5)
    statements: list[str] = []

    def second_insert_refused(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.startswith('INSERT INTO "core_accesslog"'):
            statements.append(sql)
            if len(statements) % 3 == 2:
                raise IntegrityError("refused")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(second_insert_refused):
        access_shown(user=p.moderator.user, targets=audits, purpose=Purpose.LISTED)
    assert not AccessLog.objects.exists()
    assert len(spooled_files()) == 1
    access_log_replay()
    assert AccessLog.objects.filter(user=p.moderator.user).count() == 5
    assert spooled_files() == []


def test_reads_are_written_even_when_the_page_fails_after_fetching_them(p: Personas) -> None:
    with pytest.raises(RuntimeError), reads_collected():
        access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
        raise RuntimeError("the template failed")
    assert AccessLog.objects.filter(target_id=str(p.case.public_id)).exists()


def test_a_read_by_nobody_signed_in_is_refused_as_a_bug(p: Personas) -> None:
    with pytest.raises(ValueError, match="signed-in"):
        access_shown(user=AnonymousUser(), targets=[p.case], purpose=Purpose.VIEW)


# A database that refuses the write ---------------------------------------------------------


def test_a_locked_database_is_tried_again_and_the_page_still_answers(p: Personas) -> None:
    _audits(p, 2)
    with access_log_inserts_fail(times=1) as refused:
        response = p.client_for(p.moderator).get(reverse("audits:list"))
    assert response.status_code == 200
    assert len(refused) == 1
    assert len(_logged(p)) == 2
    assert spooled_files() == []


def test_a_database_locked_throughout_sends_the_reads_to_the_spool_not_an_error_page(
    p: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    audits = _audits(p, 2)
    with (
        caplog.at_level(logging.WARNING, "auditloop.access_log"),
        access_log_inserts_fail() as refused,
    ):
        response = p.client_for(p.moderator).get(reverse("audits:list"))
    assert response.status_code == 200
    assert p.case.la_child_id in response.content.decode()
    assert len(refused) == accesslog.WRITE_ATTEMPTS
    assert not AccessLog.objects.exists()
    [spool] = spooled_files()
    lines = [json.loads(line) for line in spool.read_text().splitlines()]
    assert {line["target_id"] for line in lines} == {str(a.public_id) for a in audits}
    assert {line["purpose"] for line in lines} == {"listed"}
    assert spool.stat().st_mode & 0o777 == 0o600
    # The server log says what happened and where the reads are, and names no child.
    [record] = caplog.records
    assert "2 read(s) kept in the spool file" in record.getMessage()
    assert LOCKED in record.getMessage()
    _assert_names_no_child(record.getMessage(), p, audits)


def _assert_names_no_child(message: str, p: Personas, audits: list[Audit]) -> None:
    # As a whole token: the spool file's name holds a timestamp whose digits may, by chance,
    # contain the child's ID ("...T100123...").
    child = rf"(?<![0-9A-Za-z]){re.escape(p.case.la_child_id)}(?![0-9A-Za-z])"
    assert not re.search(child, message)
    assert str(p.case.public_id) not in message
    for audit in audits:
        assert str(audit.public_id) not in message


def test_spooled_reads_are_written_by_the_next_request_with_the_time_they_were_read(
    p: Personas,
) -> None:
    audits = _audits(p, 2)
    client = p.client_for(p.moderator)
    with access_log_inserts_fail():
        client.get(reverse("audits:list"))
    [spool] = spooled_files()
    read_at = {json.loads(line)["at"] for line in spool.read_text().splitlines()}
    client.get(reverse("cases:list"))
    assert spooled_files() == []
    listed = AccessLog.objects.filter(purpose="listed", target_type="audits.audit")
    assert {r.target_id for r in listed} == {str(a.public_id) for a in audits}
    assert {r.at.isoformat() for r in listed} == read_at
    # and the page's own read
    assert AccessLog.objects.filter(purpose="listed", target_id=str(p.case.public_id)).exists()


def test_when_the_disk_refuses_the_spool_too_the_page_still_answers_and_the_loss_is_logged(
    p: Personas, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    audits = _audits(p, 1)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.ACCESS_LOG_SPOOL_DIR = blocker / "spool"
    with caplog.at_level(logging.WARNING, "auditloop.access_log"), access_log_inserts_fail():
        response = p.client_for(p.moderator).get(reverse("audits:list"))
    assert response.status_code == 200
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "1 read(s) by user" in record.getMessage()
    assert "could NOT be recorded" in record.getMessage()
    _assert_names_no_child(record.getMessage(), p, audits)


def test_an_audit_page_opens_while_the_database_is_locked_and_its_read_is_kept(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    with access_log_inserts_fail():
        response = p.client_for(p.team_manager).get(
            reverse("audits:detail", args=[audit.public_id])
        )
    assert response.status_code == 200
    [spool] = spooled_files()
    [line] = [json.loads(line) for line in spool.read_text().splitlines()]
    assert (line["target_id"], line["purpose"]) == (str(audit.public_id), "view")
    assert line["user_id"] == p.team_manager.user_id


def test_a_refusal_other_than_a_lock_is_not_tried_again_but_still_spooled(p: Personas) -> None:
    _audits(p, 1)
    with access_log_inserts_fail(error=IntegrityError) as refused:
        response = p.client_for(p.moderator).get(reverse("audits:list"))
    assert response.status_code == 200
    assert len(refused) == 1
    assert len(spooled_files()) == 1


def test_a_read_outside_a_request_inside_a_transaction_leaves_that_transaction_usable(
    p: Personas,
) -> None:
    # A command reading inside its own transaction: the refused insert is undone in a
    # savepoint, so the command's later queries still work.
    with access_log_inserts_fail():
        access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
    assert Audit.objects.count() == 0
    assert len(spooled_files()) == 1


# Replaying the spool -----------------------------------------------------------------------


def _spool_for(p: Personas, n: int = 1) -> Path:
    with access_log_inserts_fail():
        access_shown(user=p.moderator.user, targets=_audits(p, n), purpose=Purpose.LISTED)
    [spool] = spooled_files()
    return spool


def test_the_replay_command_writes_every_spooled_read(p: Personas) -> None:
    _spool_for(p, 2)
    with access_log_inserts_fail():
        access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
    assert len(spooled_files()) == 2
    out = _call("access_log_replay")
    assert "3 reads written to the access log" in out
    assert spooled_files() == []
    assert AccessLog.objects.count() == 3


def _call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_spool_file_is_put_back_when_the_database_is_still_locked(p: Personas) -> None:
    spool = _spool_for(p)
    with access_log_inserts_fail():
        assert access_log_replay() == 0
    assert spooled_files() == [spool]
    assert access_log_replay() == 1
    assert spooled_files() == []


def test_a_spool_file_the_database_refuses_for_good_is_kept_for_an_operator(
    p: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    spool = _spool_for(p)
    with (
        caplog.at_level(logging.ERROR, "auditloop.access_log"),
        access_log_inserts_fail(error=IntegrityError),
    ):
        assert access_log_replay() == 0
    assert spooled_files() == []
    assert spool.with_suffix(".refused").exists()
    assert "kept as" in caplog.records[-1].getMessage()
    assert "Kept for an operator" in _call("access_log_replay")


def test_an_unreadable_spool_file_is_set_aside_not_replayed_for_ever(
    p: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    spool = _spool_for(p)
    spool.write_text("{not json\n")
    with caplog.at_level(logging.ERROR, "auditloop.access_log"):
        assert access_log_replay() == 0
    assert spooled_files() == []
    assert spool.with_suffix(".unreadable").exists()


def test_a_file_claimed_by_a_replay_that_died_is_taken_back_later_not_at_once(
    p: Personas,
) -> None:
    spool = _spool_for(p)
    claimed = spool.with_name(spool.stem + ".claimed-99999")
    spool.rename(claimed)
    assert spooled_files() == []
    long_ago = time.time() - accesslog.STALE_CLAIM_SECONDS - 1
    os.utime(claimed, (long_ago, long_ago))
    assert spooled_files() == [claimed]
    assert access_log_replay() == 1
    assert not claimed.exists()


def test_the_system_check_warns_while_reads_wait_in_the_spool(p: Personas) -> None:
    assert access_log_spool_check(None) == []
    _spool_for(p)
    [warning] = access_log_spool_check(None)
    assert warning.id == "auditloop.W001"
    assert str(settings.ACCESS_LOG_SPOOL_DIR) in warning.msg


def test_the_deploy_check_warns_when_the_spool_cannot_be_written(
    settings: Any, tmp_path: Path
) -> None:
    settings.ACCESS_LOG_SPOOL_DIR = tmp_path / "spool" / "access"
    assert access_log_spool_writable_check(None) == []
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.ACCESS_LOG_SPOOL_DIR = blocker / "spool"
    [warning] = access_log_spool_writable_check(None)
    assert warning.id == "auditloop.W002"
