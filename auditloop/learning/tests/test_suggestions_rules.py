"""Grouping untagged notes: notes that read alike are grouped, a note that reads like no other
is left out, each group's words are the ones its notes share, a group matching a theme's name
is proposed as that theme, and the same notes always give the same groups."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditloop.learning.rules.suggestions import ThemeText, groups_of, label_from

OVERSIGHT = [
    "No management oversight recorded; supervision notes say agreed only.",
    "Supervision is irregular and management oversight does not follow up actions.",
    "Manager oversight missing for four months; supervision not recorded on file.",
]
PLANS = [
    "The plan is not SMART: outcomes vague and no timescales.",
    "Plan actions lack timescales and outcomes are vague.",
    "Outcomes in the plan are vague with no timescales set.",
]
VOICE = [
    "[child] was seen alone; wishes and feelings recorded in their own words.",
    "Wishes and feelings captured in [child]'s own words after being seen alone.",
]
ODD_ONE = "Transport to contact was arranged promptly."

NOTES = [PLANS[0], OVERSIGHT[0], VOICE[0], PLANS[1], ODD_ONE, OVERSIGHT[1], VOICE[1]]
NOTES += [OVERSIGHT[2], PLANS[2]]


def _groups_as_texts(texts: list[str], themes: list[ThemeText] | None = None) -> list[set[str]]:
    return [{texts[i] for i in g.members} for g in groups_of(texts, themes or [])]


def test_notes_that_read_alike_are_grouped_together_and_the_odd_one_is_left_out() -> None:
    groups = _groups_as_texts(NOTES)
    assert set(map(frozenset, groups)) == {
        frozenset(OVERSIGHT),
        frozenset(PLANS),
        frozenset(VOICE),
    }


def test_a_groups_words_are_those_its_notes_share_most_telling_first() -> None:
    [plans] = [g for g in groups_of(NOTES) if {NOTES.index(PLANS[0])} <= set(g.members)]
    assert {"plan", "timescales", "vague", "outcomes"} <= set(plans.terms)
    assert "child" not in plans.terms


def test_a_group_whose_words_match_a_theme_is_proposed_as_that_theme() -> None:
    themes = [
        ThemeText("Voice of the child", "Wishes and feelings, seen alone, own words"),
        ThemeText("Management oversight", "Supervision and managers' oversight"),
    ]
    groups = groups_of(NOTES, themes)
    by_first = {NOTES[g.members[0]]: g for g in groups}
    oversight = by_first[OVERSIGHT[0]]
    assert oversight.theme == 1 and oversight.label == "Management oversight"
    plans = by_first[PLANS[0]]
    assert plans.theme is None
    assert plans.label == label_from(plans.terms)


def test_one_incidental_word_of_a_description_does_not_make_a_match() -> None:
    themes = [ThemeText("Domestic abuse", "Recognised and assessed, with a plan for safety.")]
    plans = next(g for g in groups_of(NOTES, themes) if NOTES.index(PLANS[0]) in g.members)
    assert plans.theme is None


def test_a_plural_in_the_notes_matches_a_singular_in_the_name() -> None:
    notes = ["Reviews were late twice.", "Reviews late again this year.", ODD_ONE]
    [group] = groups_of(notes, [ThemeText("Chronology"), ThemeText("Late review")])
    assert group.theme == 1


def test_a_label_is_a_phrase_of_the_first_three_words() -> None:
    assert label_from(["drift", "delay", "plan", "review"]) == "Drift, delay and plan"
    assert label_from(["neglect"]) == "Neglect"
    assert label_from(["well-being", "school"]) == "Well being and school"


def test_too_few_notes_or_notes_of_nothing_but_stop_words_give_no_groups() -> None:
    assert groups_of([]) == []
    assert groups_of([OVERSIGHT[0]]) == []
    assert groups_of(["the and of", "[child] [social worker]"]) == []


_VOCABULARY = (
    "plan drift supervision oversight voice wishes chronology neglect father school health "
    "police timescales vague missing review"
)
_WORDS = st.sampled_from(_VOCABULARY.split(" "))
_NOTE = st.lists(_WORDS, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(_NOTE, max_size=25))
def test_every_note_is_in_at_most_one_group_and_groups_are_big_enough(texts: list[str]) -> None:
    groups = groups_of(texts)
    seen: list[int] = [i for g in groups for i in g.members]
    assert len(seen) == len(set(seen))
    assert all(0 <= i < len(texts) for i in seen)
    assert all(len(g.members) >= 2 and g.terms for g in groups)


@settings(max_examples=30, deadline=None)
@given(st.lists(_NOTE, max_size=20))
def test_the_same_notes_always_give_the_same_groups(texts: list[str]) -> None:
    assert groups_of(texts) == groups_of(list(texts))
