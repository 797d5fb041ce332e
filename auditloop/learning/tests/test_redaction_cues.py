"""Redaction as the demo's users read it: the product's own words are nobody, a relative who
shares a name with staff is a relative, children named only by what they say or who saw them
are found, and an identifier never takes the sentence's full stop."""

from __future__ import annotations

import pytest

from auditloop.accounts.models import Team
from auditloop.learning.models import Theme
from auditloop.learning.redaction import VOCABULARY, KnownName, Redactor, redactor_for_database

STAFF = Redactor(
    [
        KnownName("Kelly Brown", "staff", "[team manager]"),
        KnownName("John Smith", "staff", "[staff member]"),
        KnownName("Anne Roberts", "staff", "[social worker]"),
        KnownName("Drift and delay", VOCABULARY, ""),
        KnownName("Voice of the child", VOCABULARY, ""),
        KnownName("D1 Voice and lived experience", VOCABULARY, ""),
        KnownName("Kelly Brown's team", VOCABULARY, ""),
        KnownName("Hope", VOCABULARY, ""),
    ]
)


def redacted(text: str) -> str:
    return STAFF.redact(text).redacted


class TestTheProductsOwnWordsAreNobody:
    def test_a_theme_name_quoted_in_a_key_message_is_left_as_written(self) -> None:
        text = (
            "Themes most often raised as a concern: Voice of the child, Drift and delay and "
            "Chronology"
        )
        assert redacted(text) == text

    def test_a_domain_label_is_left_as_written(self) -> None:
        assert redacted("D1 Voice and lived experience: 4 of 9 good.") == (
            "D1 Voice and lived experience: 4 of 9 good."
        )

    def test_a_staff_name_inside_the_vocabulary_is_still_redacted(self) -> None:
        assert redacted("Kelly Brown's team met.") == "[team manager]'s team met."

    def test_a_one_word_vocabulary_entry_that_is_a_first_name_hides_no_child(self) -> None:
        assert redacted("Her sister Hope was seen.") == "Her sister [child] was seen."

    @pytest.mark.django_db
    def test_the_database_redactor_knows_theme_and_team_names(self, p) -> None:  # type: ignore[no-untyped-def]
        Theme.objects.get_or_create(name="Drift and delay")
        team = Team.objects.first()
        assert team is not None
        text = "Themes raised: Voice of the child, Drift and delay, in " + team.name + "."
        result = redactor_for_database().redact(text).redacted
        assert "Drift and delay" in result and team.name in result


class TestARelativeWhoSharesAStaffName:
    def test_a_parent_named_with_two_staff_members_parts_is_one_parent(self) -> None:
        result = STAFF.redact("His mum Kelly Smith came to the review.")
        assert result.redacted == "His mum [parent] came to the review."
        assert [(s.label, s.placeholder) for s in result.spans] == [("staff", "[parent]")]

    def test_a_child_with_a_staff_first_name_and_an_age_is_a_child(self) -> None:
        assert redacted("Kelly (aged 7) was seen.") == "[child] (aged 7) was seen."

    def test_a_title_and_a_staff_surname_is_a_person(self) -> None:
        assert redacted("Ms Roberts attended.") == "[person] attended."

    def test_a_full_staff_name_after_a_cue_keeps_its_role(self) -> None:
        assert redacted("Her mum Kelly Brown?") == "Her mum [team manager]?"

    def test_a_professional_cue_keeps_the_staff_placeholder(self) -> None:
        assert redacted("The advocate Anne came.") == "The advocate [social worker] came."


class TestChildrenNamedByWhatTheySayOrWhoSawThem:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "Ruby said Anne explains things.",
                "[person] said [social worker] explains things.",
            ),
            (
                "Lily told the auditor that dad is back.",
                "[person] told the auditor that dad is back.",
            ),
            (
                "The SW saw Maisie alone at school and wrote down what Maisie said.",
                "The SW saw [person] alone at school and wrote down what [person] said.",
            ),
            ("nobody visited Maisie.", "nobody visited [person]."),
            ("Summer was seen at home.", "[person] was seen at home."),
        ],
    )
    def test_a_name_next_to_a_verb_of_speech_or_sight_is_redacted(
        self, text: str, expected: str
    ) -> None:
        assert redacted(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "Mum said the plan was working.",
            "Court said no to the application.",
            "School told the worker about the bruise.",
            "Everyone said the meeting helped.",
            "The family said the plan was clear.",
            "She told the SW and CAMHS said they would see her.",
            "The worker met Housing and visited Tuesday's group.",
        ],
    )
    def test_words_that_are_not_names_stay_as_written(self, text: str) -> None:
        assert redacted(text) == text


class TestIdentifiersEndBeforePunctuation:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("NHS number 684 171 8615.", "NHS number [NHS number]."),
            ("Call 07911 123456.", "Call [phone number]."),
            ("Child ID 112233.", "Child ID [child ID]."),
            ("Mail kelly.p@example.com.", "Mail [email address]."),
        ],
    )
    def test_the_full_stop_after_an_identifier_stays(self, text: str, expected: str) -> None:
        assert STAFF.redact(text).redacted == expected
