"""The event log and the access log speak the readers' words, not the code's."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.urls import reverse

from auditloop.accounts.log_words import VERB_LABELS, target_label, verb_label
from auditloop.core.events import event_record
from auditloop.core.models import AccessLog, Event
from auditloop.testing import Personas

SOURCE = Path(__file__).resolve().parents[2]
WRITTEN_VERB = re.compile(r'verb="([a-z_]+\.[a-z_]+)"')


def _verbs_the_code_writes() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            found.update(WRITTEN_VERB.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_verb_the_code_writes_has_a_name_in_peoples_words() -> None:
    written = _verbs_the_code_writes()
    assert "audit.answers_saved" in written
    assert not written - set(VERB_LABELS), sorted(written - set(VERB_LABELS))


def test_a_verb_reads_as_words() -> None:
    assert verb_label("audit.answers_saved") == "Audit answers saved"
    assert verb_label("escalation.raised") == "Unsafe-child flag raised"
    assert verb_label("something_new.was_done") == "Something new was done"


def test_every_kind_of_record_has_a_human_name() -> None:
    for model in apps.get_models():
        if not model.__module__.startswith("auditloop."):
            continue
        label = target_label(model._meta.label_lower)
        assert "." not in label and "_" not in label, label
        assert label[0].isupper(), label
        if sum(c.isupper() for c in model.__name__) > 1:  # two words run together in code
            assert " " in label, f"{model._meta.label_lower} reads as {label!r}"
    assert target_label("sampling.sampledraw") == "Sample draw"
    assert target_label("cases.childcase") == "Case file"


def test_the_event_log_filter_offers_what_happened_in_words(p: Personas) -> None:
    admin = p.administrator.user
    event_record(actor=admin, verb="audit.answers_saved", target=p.case)
    page = p.client_for(p.administrator).get(reverse("accounts:event_list")).content.decode()
    assert '<option value="audit.answers_saved">Audit answers saved</option>' in page
    assert ">audit.answers_saved<" not in page
    assert "<strong" in page and "Audit answers saved</strong>" in page


def test_reading_the_event_log_is_itself_logged_row_by_row(p: Personas) -> None:
    admin = p.administrator.user
    shown = [event_record(actor=admin, verb="team.created", target=p.north_a) for _ in range(3)]
    p.client_for(p.administrator).get(reverse("accounts:event_list"))
    reads = AccessLog.objects.filter(user=admin, target_type="core.event")
    read_ids = [r.target_id for r in reads]
    assert {str(e.pk) for e in shown} <= set(read_ids)
    assert sorted(read_ids) == sorted(str(pk) for pk in Event.objects.values_list("pk", flat=True))
    assert not AccessLog.objects.filter(user=admin).exclude(target_type="core.event").exists()
    assert {r.purpose for r in reads} == {"event log"}
    page = p.client_for(p.administrator).get(reverse("accounts:access_log")).content.decode()
    assert "Event log entry" in page and "Read in the event log" in page
