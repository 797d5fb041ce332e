"""Theme suggestions: group similar learning-point notes, offline, and name each group.

Pure code (no ORM): given the notes' texts (already redacted) and the theme list, `groups_of`
returns the groups of notes that read alike, each with the words its notes share, most telling
first, and either the existing theme those words match or a new label made from them.

TF-IDF over the notes (English stop words, and the redaction's placeholders and the words every
note about a child's case uses), then agglomerative clustering with cosine distance and average
linkage, cut at a distance rather than at a number of groups: the lead does not know how many
themes the untagged notes hold, and a cut at a distance leaves a note that reads like no other
out of every group. A group is proposed as an existing theme when the words its notes share
are the theme's own words (`_matching_theme`). Agglomerative clustering has no random start,
so the same notes always give the same groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

# Words that tell nothing about what a note is about: the placeholders redaction leaves
# ("[child]", "[social worker]", "[parent]"), and the words of every note about a case.
_CASE_WORDS = frozenset(
    {
        "child",
        "children",
        "young",
        "person",
        "social",
        "worker",
        "parent",
        "parents",
        "staff",
        "identifier",
        "date",
        "birth",
        "postcode",
        "address",
        "case",
        "file",
        "record",
        "recorded",
        "audit",
        "good",
        "practice",
        "mum",
        "dad",
        "mother",
        "father",
        "family",
        "did",
        "does",
        "work",
        "working",
        "clear",
        "clearly",
        "need",
        "needs",
        "needed",
        "auditor",
        "told",
        "said",
        "says",
    }
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | _CASE_WORDS)

# Groups are cut where the average cosine distance between their notes passes this: close
# enough that the notes share the words that matter, far enough that rewordings still meet.
DISTANCE_THRESHOLD = 0.85
# A theme is proposed from at least this many notes: one note is not a pattern.
MIN_GROUP_SIZE = 2
# A group's words: at most this many, each in at least this share of its notes.
TOP_TERMS = 5
TERM_SHARE = 0.5
# A group is proposed as an existing theme when the words its notes share include a word of
# the theme's name, or this many words of its description.
DESCRIPTION_WORDS = 2

_WORD_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z-]+\b"


@dataclass(frozen=True)
class ThemeText:
    """A theme as the grouping sees it: its name and description."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class Group:
    """Notes that read alike: their indexes into the input, the words they share (most
    telling first), and the index of the existing theme they match, or None with a new label
    made from the words."""

    members: tuple[int, ...]
    terms: tuple[str, ...]
    theme: int | None
    label: str


def label_from(terms: Sequence[str]) -> str:
    """A theme's name made from a group's words: the first three, as a phrase ("Supervision,
    oversight and drift")."""
    words = [t.replace("-", " ") for t in terms[:3]]
    if not words:
        return ""
    phrase = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return phrase[:1].upper() + phrase[1:]


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words=STOP_WORDS,
        token_pattern=_WORD_PATTERN,
        lowercase=True,
        sublinear_tf=True,
        min_df=1,
    )


def groups_of(texts: Sequence[str], themes: Sequence[ThemeText] = ()) -> list[Group]:
    """The groups of `texts` that read alike (each at least `MIN_GROUP_SIZE` notes; a note in
    at most one group), largest first, then by their first note. Deterministic: the same texts
    and themes give the same groups."""
    if len(texts) < MIN_GROUP_SIZE:
        return []
    vectorizer = _vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:
        # Nothing but stop words and placeholders: nothing to group on.
        return []
    vocabulary = np.array(vectorizer.get_feature_names_out())
    dense = matrix.toarray()
    # A note with no telling word is left out: it reads like nothing in particular.
    usable = np.flatnonzero(dense.sum(axis=1) > 0)
    if len(usable) < MIN_GROUP_SIZE:
        return []
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=DISTANCE_THRESHOLD,
    ).fit_predict(dense[usable])
    analyse = vectorizer.build_analyzer()
    theme_words = [(_stems(analyse(t.name)), _stems(analyse(t.description))) for t in themes]
    groups: list[Group] = []
    for label in sorted(set(labels.tolist())):
        members = tuple(int(i) for i in usable[labels == label])
        if len(members) < MIN_GROUP_SIZE:
            continue
        shared = _terms(dense[list(members)], vocabulary)
        if not shared:
            continue
        theme = _matching_theme(_stems(shared), theme_words)
        terms = shared[:TOP_TERMS]
        groups.append(
            Group(
                members=members,
                terms=terms,
                theme=theme,
                label=themes[theme].name if theme is not None else label_from(terms),
            )
        )
    groups.sort(key=lambda g: (-len(g.members), g.members[0]))
    return groups


def _terms(rows: np.ndarray, vocabulary: np.ndarray) -> tuple[str, ...]:
    """Every word a group's notes share (in at least `TERM_SHARE` of them, and two), by their
    mean weight, the word itself breaking ties."""
    present = (rows > 0).sum(axis=0)
    needed = max(MIN_GROUP_SIZE, int(np.ceil(TERM_SHARE * len(rows))))
    weights = rows.mean(axis=0)
    shared = [int(i) for i in np.flatnonzero(present >= needed)]
    shared.sort(key=lambda i: (-round(float(weights[i]), 12), str(vocabulary[i])))
    return tuple(str(vocabulary[i]) for i in shared)


def _stems(words: Iterable[str]) -> set[str]:
    """Words compared without a plural's "s" ("plans" is "plan", "reviews" is "review")."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words}


def _matching_theme(shared: set[str], themes: Sequence[tuple[set[str], set[str]]]) -> int | None:
    """The theme the group's shared words point to: a word of its name counts twice, a word of
    its description once; a theme needs a word of its name or `DESCRIPTION_WORDS` of its
    description. The best score wins, the first in the list on a tie. Whole words, not
    TF-IDF similarity: one incidental word a description happens to use ("planning" in
    "safety planning") must not make a group about plans into a theme about domestic abuse."""
    best: int | None = None
    best_score = 0
    for index, (name, description) in enumerate(themes):
        in_name = len(shared & name)
        in_description = len(shared & (description - name))
        if in_name == 0 and in_description < DESCRIPTION_WORDS:
            continue
        score = 2 * in_name + in_description
        if score > best_score:
            best, best_score = index, score
    return best


def normalised_name(name: str) -> str:
    """A theme's name as compared for sameness: lower case, spaces collapsed."""
    return re.sub(r"\s+", " ", name).strip().casefold()
