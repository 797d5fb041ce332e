"""The redaction engine: staff names in every form, other people's names, identifiers, the
reviewer's additions and kept strings, and the redactor the database gives."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditloop.accounts.models import Role, StaffMember
from auditloop.cases.models import ChildCase
from auditloop.learning.redaction import (
    KnownName,
    Redactor,
    known_staff_spans,
    redactor_for_database,
)
from auditloop.learning.redaction.engine import _ABBREVIATIONS, _is_word, _staff_forms


def redactor(*staff: tuple[str, str], child_ids: tuple[str, ...] = ()) -> Redactor:
    return Redactor(
        [KnownName(name, "staff", placeholder) for name, placeholder in staff]
        + [KnownName(c, "identifier:child_id", "[child ID]") for c in child_ids]
    )


SARAH = redactor(("Sarah Jane Smith-Jones", "[social worker]"), ("Will Hope", "[team manager]"))


def redacted(text: str, r: Redactor = SARAH) -> str:
    return r.redact(text).redacted


class TestKnownStaffNames:
    @pytest.mark.parametrize(
        "form",
        [
            "Sarah Jane Smith-Jones",
            "Sarah Smith-Jones",
            "Sarah",
            "Smith-Jones",
            "Smith",
            "Jones",
            "Jane",
            "sarah",
            "SARAH",
            "smith-jones",
            "Sarah Jones",
            "S. Smith-Jones",
            "S Smith-Jones",
        ],
    )
    def test_every_written_form_of_a_staff_name_is_redacted(self, form: str) -> None:
        assert redacted(f"Seen by {form} today.") == "Seen by [social worker] today."

    def test_possessives_keep_their_apostrophe_and_lose_the_name(self) -> None:
        assert redacted("Sarah's plan and Jones' note") == (
            "[social worker]'s plan and [social worker]' note"
        )
        assert redacted("Sarah\u2019s plan") == "[social worker]\u2019s plan"

    @pytest.mark.parametrize("form", ["SJ", "S.J.", "SSJ", "S. J.", "SJSJ"])
    def test_initials_in_capitals_are_redacted(self, form: str) -> None:
        assert "[social worker]" in redacted(f"Signed {form} on the record.")

    def test_initials_in_lower_case_are_words_and_stay(self) -> None:
        r = redactor(("Kim Tate", "[social worker]"))
        assert redacted("KT said so; kt is not a name.", r) == (
            "[social worker] said so; kt is not a name."
        )

    def test_initials_that_spell_a_word_are_not_a_name(self) -> None:
        r = redactor(("Olivia Fisher", "[social worker]"), ("Nadia Osei", "[social worker]"))
        assert redacted("NO FURTHER ACTION OF ANY KIND.", r) == "NO FURTHER ACTION OF ANY KIND."

    def test_initials_that_spell_a_social_work_abbreviation_are_not_a_name(self) -> None:
        r = redactor(("Sophie Wells", "[social worker]"), ("Gary Price", "[team manager]"))
        assert redacted("The SW asked the GP.", r) == "The SW asked the GP."
        assert "SW" in _ABBREVIATIONS

    def test_a_staff_name_that_is_a_word_is_redacted_even_as_the_word(self) -> None:
        # Recall first for staff: see the engine's docstring.
        assert redacted("We will, we hope.") == "We [team manager], we [team manager]."

    def test_the_placeholder_follows_the_role(self) -> None:
        assert redacted("Will agreed with Sarah.") == "[team manager] agreed with [social worker]."

    def test_accents_are_matched_with_or_without_them(self) -> None:
        r = redactor(("Zoë Lefèvre", "[social worker]"))
        assert redacted("Zoë and Zoe and LEFEVRE and Lefèvre", r) == (
            "[social worker] and [social worker] and [social worker] and [social worker]"
        )

    def test_a_name_inside_a_longer_word_is_not_matched(self) -> None:
        assert redacted("Sarahs smithery and jonesing") == "Sarahs smithery and jonesing"

    def test_a_month_in_a_date_is_a_day_not_a_worker_called_may(self) -> None:
        r = redactor(("Bill May", "[social worker]"))
        assert redacted("Visited on 3 May 2024; May wrote it up.", r) == (
            "Visited on 3 May 2024; [social worker] wrote it up."
        )

    def test_known_staff_spans_lists_the_names_left(self) -> None:
        spans = known_staff_spans(SARAH, "Ask Sarah, or Will.")
        assert [(s.start, s.end) for s in spans] == [(4, 9), (14, 18)]


class TestOtherPeople:
    def test_a_parent_named_after_a_relation_is_a_parent(self) -> None:
        assert redacted("Her mum, Chantelle, attended.") == "Her mum, [parent], attended."

    def test_a_child_with_an_age_is_a_child_wherever_named(self) -> None:
        assert redacted("Oluwaseun (aged 7) was seen. Oluwaseun said no.") == (
            "[child] (aged 7) was seen. [child] said no."
        )

    def test_the_name_before_a_possessive_relation_is_a_child(self) -> None:
        assert redacted("Kayden's mum was present.") == "[child]'s mum was present."

    def test_a_foster_carer_is_a_carer_and_a_title_goes_with_its_name(self) -> None:
        assert redacted("The foster carer Denise met Mrs Okonkwo-Adeyemi.") == (
            "The foster carer [carer] met [person]."
        )

    def test_a_name_that_is_a_word_counts_mid_sentence_but_not_first(self) -> None:
        assert redacted("Grace attended school.") == "Grace attended school."
        assert redacted("We saw Grace at school.") == "We saw [person] at school."
        assert redacted("Grace (aged 4) attended.") == "[child] (aged 4) attended."

    def test_a_relation_in_brackets_or_apposition_names_the_word_before_it(self) -> None:
        assert redacted("Frank (father) was not invited.") == "[parent] (father) was not invited."
        assert redacted("Dawn, the maternal grandmother, helps.") == (
            "[person], the maternal grandmother, helps."
        )

    def test_a_hyphenated_surname_holding_a_staff_surname_is_the_persons(self) -> None:
        r = redactor(("Fatima Begum", "[team manager]"))
        result = r.redact("Her mum, Farhana Begum-Ali, and Begum met.")
        assert result.redacted == "Her mum, [parent], and [team manager] met."

    def test_ordinary_words_stay(self) -> None:
        text = "A frank discussion about joy, hope and the summer holidays at Court."
        assert redacted(text, redactor()) == text


class TestIdentifiers:
    @pytest.mark.parametrize(
        ("text", "label"),
        [
            ("postcode LS6 2AB.", "identifier:postcode"),
            ("NHS 943 476 5919.", "identifier:nhs_number"),
            ("NHS 9434765919.", "identifier:nhs_number"),
            ("NI AB123456C.", "identifier:ni_number"),
            ("NI JK 12 34 56 C.", "identifier:ni_number"),
            ("UPN B801200005001.", "identifier:upn"),
            ("call 07911 123456.", "identifier:phone"),
            ("call +44 20 7946 0958.", "identifier:phone"),
            ("mail kelly.b@example.co.uk.", "identifier:email"),
            ("DOB 03/04/2015.", "identifier:dob"),
            ("born 3 April 2015.", "identifier:dob"),
            ("d.o.b. 3rd of April 2015.", "identifier:dob"),
            ("lives at 12 Acacia Avenue.", "identifier:address"),
            ("lives at Flat 3, Kestrel House.", "identifier:address"),
            ("Child ID 445566.", "identifier:child_id"),
            ("file 000123 noted.", "identifier:child_id"),
        ],
    )
    def test_each_kind_is_found_and_labelled(self, text: str, label: str) -> None:
        r = redactor(child_ids=("000123",))
        spans = r.redact(text).spans
        assert [s.label for s in spans] == [label]

    @pytest.mark.parametrize(
        "text",
        [
            "NHS 943 476 5918.",  # the check digit is wrong
            "NI QQ123456C and GB123456A.",  # prefixes HMRC never issues
            "code QV1 2AB.",  # no postcode starts with Q or has V second
            "UPN A801200005001.",  # the check letter is wrong
            "Visited on 03/04/2024 and reviewed on 3 May 2024.",  # visit dates stay
            "Attendance 92% and 12 visits.",
        ],
    )
    def test_what_fails_its_check_stays(self, text: str) -> None:
        assert redacted(text, redactor()) == text


class TestReviewersChanges:
    def test_added_strings_are_redacted_wherever_they_occur(self) -> None:
        result = SARAH.redact(
            "The Old Mill school, near the Old Mill.", added=[("old mill", "person")]
        )
        assert result.redacted == "The [person] school, near the [person]."

    def test_kept_strings_stay_but_never_a_staff_name(self) -> None:
        result = SARAH.redact("Grace and Sarah met.", kept=["Grace", "Sarah"])
        assert result.redacted == "Grace and [social worker] met."


class TestOffsets:
    def test_offsets_index_the_original_text_even_where_lower_case_is_longer(self) -> None:
        text = "İİ Sarah's note: postcode LS6 2AB."
        result = SARAH.redact(text)
        assert [text[s.start : s.end] for s in result.spans] == ["Sarah", "LS6 2AB"]

    def test_overlaps_go_to_the_longest(self) -> None:
        result = SARAH.redact("Sarah Jane Smith-Jones", added=[("Jane", "person")])
        assert [(s.start, s.end, s.label) for s in result.spans] == [(0, 22, "staff")]


# -- properties ------------------------------------------------------------------------

_SYLLABLES = ["ka", "ro", "mi", "te", "sa", "lu", "ne", "do", "vi", "ba", "zo", "qui", "rha"]
_FILLERS = ["the", "visit", "plan", "was", "late", ",", ".", "(", ")", "'s", "-", "  ", "\n", "7"]
_placeholder_words = {"social", "worker", "team", "manager", "staff", "member", "child"}


@st.composite
def staff_name(draw: st.DrawFn) -> str:
    words = draw(
        st.lists(
            st.lists(st.sampled_from(_SYLLABLES), min_size=2, max_size=4).map("".join),
            min_size=2,
            max_size=3,
        )
    )
    if draw(st.booleans()):
        words[-1] = words[-1] + "-" + draw(st.sampled_from(["ward", "kimbo", "lester"]))
    return " ".join(w.capitalize() for w in words)


def forms_written(name: str) -> list[str]:
    words = name.split()
    first, last = words[0], words[-1]
    return [
        name,
        first,
        last,
        *last.split("-"),
        name.lower(),
        name.upper(),
        f"{first}'s",
        f"{last}'",
        f"{first[0]}. {last}",
        "".join(w[0] for w in words),
        ".".join(w[0] for w in words) + ".",
    ]


@st.composite
def note_with_names(draw: st.DrawFn) -> tuple[list[str], str]:
    names = draw(st.lists(staff_name(), min_size=1, max_size=3, unique=True))
    pieces = []
    for _ in range(draw(st.integers(3, 15))):
        if draw(st.booleans()):
            name = draw(st.sampled_from(names))
            pieces.append(draw(st.sampled_from(forms_written(name))))
        else:
            pieces.append(draw(st.sampled_from(_FILLERS)))
    return names, " ".join(pieces)


def _word_forms(name: str) -> list[tuple[str, bool]]:
    """(form, case-sensitive) for every form `_staff_forms` promises."""
    return [(key.strip(), bool(capitals)) for key, capitals in _staff_forms(name).items()]


@settings(max_examples=50, deadline=None)
@given(note_with_names())
def test_redacted_text_never_contains_a_known_staff_name_in_any_form(
    case: tuple[list[str], str],
) -> None:
    names, text = case
    r = redactor(*[(name, "[social worker]") for name in names])
    result = r.redact(text)
    folded = re.sub(r"[\W_]", " ", result.redacted.lower())
    for name in names:
        for form, case_sensitive in _word_forms(name):
            if case_sensitive or form.replace(" ", "").upper() in _ABBREVIATIONS:
                continue
            assert not re.search(rf"(?<![^\W_]){re.escape(form)}(?![^\W_])", folded), (form, text)
        initials = "".join(w[0] for w in name.split())
        if initials not in _ABBREVIATIONS and not _is_word(initials):
            assert not re.search(rf"(?<![^\W_]){initials}(?![^\W_])", result.redacted)
    assert known_staff_spans(r, result.redacted) == []


@settings(max_examples=50, deadline=None)
@given(note_with_names())
def test_spans_are_sorted_apart_within_the_text_and_make_the_redacted_text(
    case: tuple[list[str], str],
) -> None:
    names, text = case
    result = redactor(*[(name, "[social worker]") for name in names]).redact(text)
    previous_end = 0
    rebuilt = []
    for span in result.spans:
        assert previous_end <= span.start < span.end <= len(text)
        rebuilt += [text[previous_end : span.start], span.placeholder]
        previous_end = span.end
    rebuilt.append(text[previous_end:])
    assert "".join(rebuilt) == result.redacted


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_spans_within_bounds_in_order(text: str) -> None:
    spans = SARAH.redact(text).spans
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


@settings(max_examples=50, deadline=None)
@given(note_with_names())
def test_redacting_the_redacted_text_again_finds_no_staff_name(
    case: tuple[list[str], str],
) -> None:
    names, text = case
    r = redactor(*[(name, "[team manager]") for name in names])
    again = r.redact(r.redact(text).redacted)
    assert [s for s in again.spans if s.label == "staff"] == []


# -- the database's redactor -------------------------------------------------------------


@pytest.mark.django_db
class TestRedactorForDatabase:
    def test_it_knows_staff_current_and_former_workers_from_imports_and_case_ids(self) -> None:
        StaffMember.objects.create(name="Priya Natarajan", role=Role.TEAM_MANAGER)
        StaffMember.objects.create(name="Old Leaver", role=Role.PRACTITIONER, is_active=False)
        ChildCase.objects.create(
            la_child_id="NS998877", cohort="CIN", allocated_worker_name="Agency Worker"
        )
        text = "Priya, Leaver and Agency discussed NS998877."
        assert redactor_for_database().redact(text).redacted == (
            "[team manager], [social worker] and [social worker] discussed [child ID]."
        )

    def test_it_is_kept_while_nothing_changes_and_rebuilt_after_a_rename(self) -> None:
        member = StaffMember.objects.create(name="Priya Natarajan", role=Role.PRACTITIONER)
        first = redactor_for_database()
        assert redactor_for_database() is first
        member.name = "Priya Kapoor"
        member.save()
        second = redactor_for_database()
        assert second is not first
        assert second.redact("Kapoor").redacted == "[social worker]"

    def test_a_changed_case_list_rebuilds_it(self) -> None:
        first = redactor_for_database()
        ChildCase.objects.create(la_child_id="771122", cohort="CIN")
        second = redactor_for_database()
        assert second is not first
        assert second.redact("771122").redacted == "[child ID]"
