"""The theme list the audit leads keep: add, rename or describe, retire and offer again. A
theme is never deleted: a retired one stays on the learning points it was given to (and in the
key messages and training figures that counted it) but is not offered for new ones."""

from __future__ import annotations

from django.db import transaction

from auditloop.accounts.models import StaffMember
from auditloop.core.events import event_record, fields_changed
from auditloop.core.refusals import Refused
from auditloop.learning.access.themes import can_keep_themes
from auditloop.learning.models import Theme
from auditloop.learning.rules.suggestions import normalised_name

NAME_MAX = Theme._meta.get_field("name").max_length or 120


def _keeper(by: StaffMember) -> None:
    if not can_keep_themes(by):
        raise Refused("Only an audit lead changes the theme list.")


def theme_name_checked(name: str, *, other_than: Theme | None = None) -> str:
    """The name, tidied, once no other theme has it (in any case or spacing)."""
    name = " ".join(name.split())
    if not name:
        raise Refused("Enter the theme's name.", field="name")
    if len(name) > NAME_MAX:
        raise Refused(f"Enter a name of {NAME_MAX} characters or fewer.", field="name")
    wanted = normalised_name(name)
    others = Theme.objects.all()
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    for theme in others:
        if normalised_name(theme.name) == wanted:
            retired = "" if theme.is_active else " (retired: offer it again instead)"
            raise Refused(f"There is already a theme called {theme.name}{retired}.", field="name")
    return name


@transaction.atomic
def theme_create(*, by: StaffMember, name: str, description: str = "") -> Theme:
    _keeper(by)
    theme = Theme.objects.create(
        name=theme_name_checked(name), description=description.strip(), created_by=by
    )
    event_record(
        actor=by.user,
        verb="theme.added",
        target=theme,
        summary=f"Theme {theme.name} added.",
        after={"name": theme.name},
    )
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, by: StaffMember, name: str, description: str = "") -> Theme:
    _keeper(by)
    before = {"name": theme.name, "description": theme.description}
    theme.name = theme_name_checked(name, other_than=theme)
    theme.description = description.strip()
    after = {"name": theme.name, "description": theme.description}
    changed = fields_changed(before, after)
    if not changed:
        return theme
    theme.save(update_fields=["name", "description"])
    event_record(
        actor=by.user,
        verb="theme.changed",
        target=theme,
        summary=f"Theme {theme.name} changed.",
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return theme


@transaction.atomic
def theme_retire(*, theme: Theme, by: StaffMember) -> Theme:
    _keeper(by)
    if not theme.is_active:
        raise Refused(f"{theme.name} is already retired.")
    theme.is_active = False
    theme.save(update_fields=["is_active"])
    event_record(
        actor=by.user,
        verb="theme.retired",
        target=theme,
        summary=f"Theme {theme.name} retired.",
        before={"is_active": True},
        after={"is_active": False},
    )
    return theme


@transaction.atomic
def theme_restore(*, theme: Theme, by: StaffMember) -> Theme:
    _keeper(by)
    if theme.is_active:
        raise Refused(f"{theme.name} is already offered.")
    theme.is_active = True
    theme.save(update_fields=["is_active"])
    event_record(
        actor=by.user,
        verb="theme.restored",
        target=theme,
        summary=f"Theme {theme.name} offered again.",
        before={"is_active": False},
        after={"is_active": True},
    )
    return theme
