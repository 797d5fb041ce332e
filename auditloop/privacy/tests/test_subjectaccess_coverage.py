"""Nothing is missed: every model that points at a child's case (or one of the child's
audits), a member of staff or a login is either exported or named, with the reason, in what
subject access deliberately leaves out. A model added later with such a link fails here until
someone decides."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit
from auditloop.cases.models import ChildCase
from auditloop.privacy.rules.subjectaccess import (
    CHILD_EXPORTED,
    CHILD_LEFT_OUT,
    STAFF_EXPORTED,
    STAFF_LEFT_OUT,
)


def _models_linking_to(*targets: type[models.Model]) -> set[str]:
    return {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model in targets
    }


def test_every_model_linked_to_a_childs_case_or_audit_is_exported_or_left_out_with_a_reason() -> (
    None
):
    linked = _models_linking_to(ChildCase, Audit) | {"cases.childcase", "audits.audit"}
    decided = set(CHILD_EXPORTED) | set(CHILD_LEFT_OUT)
    assert not linked - decided, f"undecided for a child's export: {sorted(linked - decided)}"


def test_every_model_linked_to_a_member_of_staff_or_login_is_exported_or_left_out() -> None:
    linked = _models_linking_to(StaffMember, get_user_model())
    decided = set(STAFF_EXPORTED) | set(STAFF_LEFT_OUT)
    assert not linked - decided, f"undecided for a staff export: {sorted(linked - decided)}"


def test_nothing_is_both_exported_and_left_out_and_every_reason_is_written() -> None:
    assert not set(CHILD_EXPORTED) & set(CHILD_LEFT_OUT)
    assert not set(STAFF_EXPORTED) & set(STAFF_LEFT_OUT)
    for reason in [*CHILD_LEFT_OUT.values(), *STAFF_LEFT_OUT.values()]:
        assert len(reason) > 40


def test_the_lists_name_only_models_that_exist() -> None:
    known = {model._meta.label_lower for model in apps.get_models()}
    for listed in (CHILD_EXPORTED, CHILD_LEFT_OUT, STAFF_EXPORTED, STAFF_LEFT_OUT):
        assert set(listed) <= known, sorted(set(listed) - known)
