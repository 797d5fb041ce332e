"""Optimistic locking: two people saving the same record from pages drawn before either save.

A record that people edit in long forms (an audit, a cycle, a tool draft) has a `version`
column. Its form carries the version the page was drawn from in a hidden field, and the
service's first write, inside its transaction, moves the version on only if it is still that
one (`version_claim`): one conditional UPDATE, so of two saves at the same moment exactly one
matches. The other raises `RecordChanged` and its transaction writes nothing; the view shows
the form again with everything the person typed and the refusal at the top of the error
summary, carrying the new version (`form_version_renew`) so that saving again, having looked,
replaces the other person's changes knowingly.

PostgreSQL: the second UPDATE waits for the first's row lock and then re-reads the row
(READ COMMITTED), so it sees the new version and matches nothing. SQLite: every transaction
takes the write lock when it begins (settings), so the saves run one after the other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import F
from django.http import QueryDict

from auditloop.core.refusals import Refused


class RecordChanged(Refused):
    """Someone saved the record after this person's page was drawn. `current` is its version
    now, for the form shown again."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(message)
        self.current = current


def changed_message(what: str) -> str:
    return (
        f"Someone else saved this {what} while you had it open, so your changes have not "
        f"been saved. Everything you typed is still below: open the {what} in another tab "
        "to see what they saved, then save yours again if it should replace theirs."
    )


def version_claim(*, record: models.Model, expected: int | None, what: str) -> None:
    """Move `record`'s version on by one, provided it is still `expected` (None: whatever it
    is, for a change no stale page can make, such as a command). Call it first inside the
    saving transaction: raises `RecordChanged` when someone saved in between, before this
    save has written anything. `what` names the record in the message ("audit", "cycle")."""
    manager = type(record)._default_manager
    rows = manager.filter(pk=record.pk)
    if expected is not None:
        rows = rows.filter(version=expected)
    if not rows.update(version=F("version") + 1):
        current = manager.filter(pk=record.pk).values_list("version", flat=True).first()
        raise RecordChanged(changed_message(what), current=current or 0)
    record.version = manager.filter(pk=record.pk).values_list("version", flat=True).get()  # type: ignore[attr-defined]


class VersionField(forms.IntegerField):
    """The hidden field that carries the version a page was drawn from."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


def form_version_renew(form: forms.BaseForm, refused: RecordChanged) -> None:
    """Show `form` again after a `RecordChanged`: the message at the top of the error summary,
    the person's typing kept, and the hidden version moved on to the saved record's, so the
    next save is measured against what is there now."""
    form.add_error(None, refused.message)
    form_version_set(form, refused.current)


def form_version_set(form: forms.BaseForm, version: int) -> None:
    """Carry `version` in a bound form shown again (after its own save, say, when something
    later is refused), so that saving it again is not taken for a stale page."""
    # A QueryDict from a request (copied, since it cannot be changed), or a plain dict.
    data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data[form.add_prefix("version")] = str(version)
    form.data = data
