"""The agreement page: who reads it, what each reader sees, the choice of cycle."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.tests.agreement_factories import cycle_make, moderated_audit
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db
URL = reverse("assurance:agreement")


def page(p: Personas, staff: StaffMember, query: str = "") -> str:
    response = p.client_for(staff).get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's words, tags dropped and spaces squeezed, for reading sentences off it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def two_cycles(p: Personas) -> tuple[Cycle, Cycle]:
    spring = cycle_make(p, "Spring 2026", datetime.date(2026, 1, 5))
    autumn = cycle_make(p, "Autumn 2026", datetime.date(2026, 7, 6))
    return spring, autumn


def auditors(p: Personas, n: int) -> list[StaffMember]:
    return [
        p.auditor,
        *(make_staff(f"aud{i}", f"Auditor {i}", Role.AUDITOR, p.north_b) for i in range(1, n)),
    ]


def test_an_audit_lead_reads_the_latest_cycle_by_question_and_by_auditor(p: Personas) -> None:
    spring, autumn = two_cycles(p)
    for auditor in auditors(p, 2):
        for pairs in ([(3, 3), (2, 3)], [(4, 3), (2, 2)], [(1, 1), (3, 3)]):
            moderated_audit(p, grades=pairs, overall=(3, 2), auditor=auditor, cycle=autumn)
    moderated_audit(p, grades=[(1, 4)], overall=(1, 4), cycle=spring)
    words = text(page(p, p.moderator))
    assert "Autumn 2026 6 Jul 2026 to 3 Jan 2027." in words
    assert "By question" in words and "D1 Voice and lived experience" in words
    assert "By auditor" in words and "Alex Auditor" in words and "Auditor 1" in words
    # D1: the auditors' 3, 4, 1 against the moderators' 3, 3, 1, twice over: 4 of 6 agree.
    d1 = words.split("D1 Voice and lived experience")[1]
    assert d1.split()[:2] == ["6", "67%"]
    assert "95% interval" in d1
    assert "Landis and Koch" not in words.split("How to read")[0]  # readings are words only
    assert "Substantial agreement" in words or "Moderate agreement" in words


def test_a_cycle_chosen_shows_only_its_audits_and_every_cycle_shows_all(p: Personas) -> None:
    spring, autumn = two_cycles(p)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=autumn)
    moderated_audit(p, grades=[(1, 4)], overall=(1, 4), cycle=spring)
    spring_words = text(page(p, p.moderator, f"?cycle={spring.public_id}"))
    assert "Spring 2026 5 Jan 2026 to 5 Jul 2026." in spring_words
    pooled = spring_words.split("Every graded question and overall grade")[1]
    assert pooled.split()[:2] == ["2", "0%"]
    every = text(page(p, p.moderator, "?cycle=all"))
    assert "Every cycle" in every
    assert every.split("Every graded question and overall grade")[1].split()[:2] == ["5", "60%"]


def test_a_figure_that_cannot_be_worked_out_says_not_enough_to_say_and_why(
    p: Personas,
) -> None:
    _, autumn = two_cycles(p)
    moderated_audit(p, grades=[(3, 3)], overall=(3, 3), cycle=autumn)
    words = text(page(p, p.moderator))
    assert "Not enough to say" in words
    assert "Only 1 item was graded by both raters: at least 2 are needed." in words
    assert "No interval from 2 items: at least 5 are needed." in words


def test_cycles_with_nothing_regraded_say_so_on_their_line(p: Personas) -> None:
    spring, _ = two_cycles(p)
    moderated_audit(p, grades=[(3, 3), (2, 2), (4, 4)], overall=(3, 3), cycle=spring)
    html = page(p, p.moderator)
    by_cycle = text(html.split("By cycle")[1])
    assert "Autumn 2026 6 Jul 2026 to 3 Jan 2027 0 Not enough to say No moderation" in by_cycle
    assert "Spring 2026 5 Jan 2026 to 5 Jul 2026 4 100%" in by_cycle
    assert f'href="{URL}?cycle={spring.public_id}"' in html


def test_a_senior_leader_reads_the_figures_by_auditor_too(p: Personas) -> None:
    _, autumn = two_cycles(p)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=autumn)
    words = text(page(p, p.senior_leader))
    assert "By auditor" in words and "Alex Auditor" in words


def test_a_board_member_reads_groups_of_three_or_more_auditors_and_no_names(
    p: Personas,
) -> None:
    _, autumn = two_cycles(p)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=autumn)
    html = page(p, p.board_member)
    words = text(html)
    assert "By auditor" not in words and "Alex Auditor" not in words
    assert "fewer than 3 auditors' audits is not shown" in words
    assert "Not shown: drawn from fewer than 3 auditors' audits" in words
    assert "100%" not in words
    for auditor in auditors(p, 3)[1:]:
        moderated_audit(p, grades=[(3, 2), (2, 2)], overall=(3, 3), auditor=auditor, cycle=autumn)
    words = text(page(p, p.board_member))
    assert "Not shown" not in words.split("By cycle")[0]
    assert "By auditor" not in words and "Auditor 1" not in words
    assert "Every graded question and overall grade 9 78%" in words


def test_figures_keep_to_the_readers_services(p: Personas) -> None:
    spring = cycle_make(p, "Spring 2026", datetime.date(2026, 1, 5))
    spring.services.add(p.south)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=spring)
    moderated_audit(p, grades=[(1, 4), (1, 4)], overall=(1, 4), cycle=spring, team=p.south_a)
    south_only = cycle_make(p, "South only", datetime.date(2026, 9, 1))
    south_only.services.set([p.south])
    words = text(page(p, p.moderator))
    assert "South only" not in words
    assert "Every graded question and overall grade 3 100%" in words


def test_a_cycle_outside_the_readers_services_cannot_be_chosen(p: Personas) -> None:
    south_only = cycle_make(p, "South only", datetime.date(2026, 9, 1))
    south_only.services.set([p.south])
    for choice in (str(south_only.public_id), "not-a-cycle"):
        html = page(p, p.moderator, f"?cycle={choice}")
        assert "There is a problem" in html
        assert '<a href="#id_cycle">Choose a cycle from the list</a>' in html
        assert "<title>Error: Agreement between auditors and moderators" in html
        assert "Every graded question" not in html


def test_no_child_is_named_on_the_page(p: Personas) -> None:
    _, autumn = two_cycles(p)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=autumn)
    for reader in (p.moderator, p.senior_leader, p.board_member):
        assert p.case.la_child_id not in page(p, reader)


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "auditor", "administrator"])
def test_other_roles_are_refused(p: Personas, who: str) -> None:
    staff = p.all_roles()[who]
    assert p.client_for(staff).get(URL).status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("moderator", True),
        ("senior_leader", True),
        ("board_member", True),
        ("auditor", False),
        ("team_manager", False),
        ("practitioner", False),
        ("administrator", False),
    ],
)
def test_the_menu_offers_the_page_to_those_who_may_read_it(
    p: Personas, who: str, listed: bool
) -> None:
    html = p.client_for(p.all_roles()[who]).get(reverse("home")).content.decode()
    assert (f'href="{URL}"' in html) is listed


def test_the_page_is_current_in_the_menu_while_reading_it(p: Personas) -> None:
    html = page(p, p.moderator)
    assert f'<a class="govuk-service-navigation__link" href="{URL}" aria-current="page">' in html
