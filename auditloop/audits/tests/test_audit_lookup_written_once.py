"""An audit's own page sends its two look-ups (the read rule asked of one audit, then the audit
with its related rows) as statements written once per connection and kept under everything
they are written from (`auditloop.core.statements`). They must give exactly what the ORM's
queries give, for every reader and every audit, and a statement kept for one reader must
never answer for another whose rule differs."""

from __future__ import annotations

import contextlib
from typing import Any
from unittest import mock
from uuid import uuid4

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Model
from django.http import Http404

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.access.audits import (
    AUDIT_PAGE_RELATIONS,
    audit_page_load,
    audit_rule_facts,
    audit_visibility_filter_for_one,
    get_audit_for_user,
    readable_audit_key,
    readable_audit_keys,
)
from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.audits.tests.test_audit_read_rule_one_row import _audits, _readers
from auditloop.core.statements import _KEPT_ON_CONNECTION
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

READERS = {Role.PRACTITIONER, Role.TEAM_MANAGER, Role.AUDITOR, Role.MODERATOR, Role.SENIOR_LEADER}


def _kept() -> dict[Any, Any]:
    kept: dict[Any, Any] = connections[connection.alias].__dict__.setdefault(
        _KEPT_ON_CONNECTION, {}
    )
    return kept


def _orm_key(reader: StaffMember, audit: Audit) -> int | None:
    return readable_audit_keys(reader, audit.public_id).first()


def _kept_key(reader: StaffMember, audit: Audit) -> int | None:
    try:
        return readable_audit_key(reader, audit.public_id)
    except Audit.DoesNotExist:
        return None


def _fields(instance: Model | None) -> dict[str, Any] | None:
    if instance is None:
        return None
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def _related(audit: Audit, path: str) -> list[dict[str, Any] | None]:
    """Each model along a select_related path, as loaded (no query: a cached relation)."""
    found: list[dict[str, Any] | None] = []
    instance: Model | None = audit
    for name in path.split("__"):
        assert instance is not None
        field = instance._meta.get_field(name)
        if not field.is_cached(instance):  # type: ignore[union-attr]
            found.append({"not loaded": name})
            break
        instance = field.get_cached_value(instance)  # type: ignore[union-attr]
        found.append(_fields(instance))
    return found


def test_the_kept_rule_admits_exactly_the_audits_the_orms_rule_admits(p: Personas) -> None:
    audits = _audits(p)
    for reader in _readers(p):
        for audit in audits:
            assert _kept_key(reader, audit) == _orm_key(reader, audit), (
                reader.role,
                audit.status,
            )


def test_the_kept_rule_is_tried_on_readers_who_see_some_audits_and_not_others(
    p: Personas,
) -> None:
    audits = _audits(p)
    for reader in (p.practitioner, p.team_manager, p.moderator, p.senior_leader, p.outsider):
        seen = [a for a in audits if _kept_key(reader, a) is not None]
        assert 0 < len(seen) < len(audits), reader.role


def test_the_page_loads_the_same_audit_with_the_same_related_rows_as_the_orm(
    p: Personas,
) -> None:
    audits = _audits(p)
    for reader in _readers(p):
        for audit in audits:
            if _orm_key(reader, audit) is None:
                continue
            kept = get_audit_for_user(reader.user, audit.public_id)
            orm = audit_page_load(audit.pk, reader.pk).get()
            assert _fields(kept) == _fields(orm)
            assert kept.grades_hidden == orm.grades_hidden
            for path in AUDIT_PAGE_RELATIONS:
                assert _related(kept, path) == _related(orm, path), path


def test_a_reader_who_may_not_read_the_audit_is_told_it_is_not_found(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    with pytest.raises(Http404):
        get_audit_for_user(p.practitioner.user, audit.public_id)
    with pytest.raises(Http404):
        get_audit_for_user(p.auditor.user, uuid4())
    with pytest.raises(Http404):
        get_audit_for_user(p.auditor.user, "not-a-public-id")


def test_the_rule_is_written_once_for_a_reader_and_sent_again_for_each_audit(
    p: Personas,
) -> None:
    first, second = (make_audit(p, status=AuditStatus.SUBMITTED) for _ in range(2))
    _kept().clear()  # statements outlive a test, as they outlive a request
    get_audit_for_user(p.team_manager.user, first.public_id)
    kept = len(_kept())
    with mock.patch(
        "auditloop.audits.access.audits.audit_visibility_filter_for_one",
        wraps=audit_visibility_filter_for_one,
    ) as rule:
        found = get_audit_for_user(p.team_manager.user, second.public_id)
        assert rule.call_count == 0
        get_audit_for_user(p.moderator.user, second.public_id)
        assert rule.call_count == 1  # another reader: their own rule, written once
    assert found == second
    assert len(_kept()) == kept + 1


def test_a_reader_whose_team_changes_is_asked_a_rule_written_for_the_new_team(
    p: Personas,
) -> None:
    """The statement is kept under the reader's facts: a manager moved to another team reads
    that team's audits at once, and no longer their old team's."""
    old_team_audit = make_audit(p, status=AuditStatus.SUBMITTED)
    manager = p.team_manager
    assert _kept_key(manager, old_team_audit) == old_team_audit.pk
    assert manager.team is not None
    other = Team.objects.exclude(pk=manager.team.pk).first()
    assert other is not None
    manager.team = other
    manager.save()
    assert _kept_key(manager, old_team_audit) is None
    assert _orm_key(manager, old_team_audit) is None


def test_two_readers_with_the_same_role_never_share_a_kept_rule(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    assert _kept_key(p.team_manager, audit) == audit.pk
    assert _kept_key(p.outsider, audit) is None
    assert audit_rule_facts(p.team_manager) != audit_rule_facts(p.outsider)


def test_the_rule_reads_nothing_of_the_reader_but_the_facts_it_is_kept_under(
    p: Personas,
) -> None:
    """A rule that came to read more of the reader (their end date, say) would be sent, kept
    under facts that do not hold it, to readers it was not written for: it must be added to
    `audit_rule_facts` first."""
    facts = {"id", "pk", "role", "team_id"}
    fields = {f.attname for f in StaffMember._meta.concrete_fields} | {"pk"}
    for reader in _readers(p):
        read: set[str] = set()

        def recording(
            self: StaffMember,
            name: str,
            reader: StaffMember = reader,
            read: set[str] = read,
            original: Any = StaffMember.__getattribute__,
        ) -> Any:
            if self is reader and name in fields:
                read.add(name)
            return original(self, name)

        with (
            mock.patch.object(StaffMember, "__getattribute__", recording),
            contextlib.suppress(EmptyResultSet),  # a rule that admits nothing
        ):
            str(Audit.objects.filter(audit_visibility_filter_for_one(reader)).query)
        assert read <= facts, (reader.role, read - facts)
        if reader.role in READERS:
            assert read, reader.role  # the recording sees what the rule reads
