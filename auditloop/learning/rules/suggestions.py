"""Theme suggestions: group similar learning-point notes, offline, and name each group.

Pure code (no ORM): given the notes' texts (already redacted) and the theme list, `groups_of`
returns the groups of notes that read alike, each with the words its notes share, most telling
first, and either the existing theme those words match or a new label made from them.

TF-IDF over the notes (English stop words, and the redaction's placeholders and the words every
note about a child's case uses), then agglomerative clustering with cosine distance and average
linkage, cut at a distance rather than at a number of groups: the lead does not know how many
themes the untagged notes hold, and a cut at a distance leaves a note that reads like no other
out of every group. Agglomerative clustering has no random start, so the same notes always give
the same groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
# How alike a group's words and an existing theme's name and description must be (cosine of
# their TF-IDF vectors) for the group to be proposed as that theme.
THEME_MATCH = 0.2

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
    theme_matrix = _theme_vectors(vectorizer, themes)
    groups: list[Group] = []
    for label in sorted(set(labels.tolist())):
        members = tuple(int(i) for i in usable[labels == label])
        if len(members) < MIN_GROUP_SIZE:
            continue
        rows = dense[list(members)]
        terms = _terms(rows, vocabulary)
        if not terms:
            continue
        # Matched on the words the notes share only: a word one note happens to use (a
        # housing note's "not invited") says nothing about what the group is about.
        shared = np.zeros(len(vocabulary))
        for term in terms:
            index = int(np.flatnonzero(vocabulary == term)[0])
            shared[index] = rows[:, index].mean()
        theme = _matching_theme(shared, theme_matrix)
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
    """The words a group's notes share: in at least `TERM_SHARE` of them (and two), by their
    mean weight, the word itself breaking ties."""
    present = (rows > 0).sum(axis=0)
    needed = max(MIN_GROUP_SIZE, int(np.ceil(TERM_SHARE * len(rows))))
    weights = rows.mean(axis=0)
    shared = [int(i) for i in np.flatnonzero(present >= needed)]
    shared.sort(key=lambda i: (-round(float(weights[i]), 12), str(vocabulary[i])))
    return tuple(str(vocabulary[i]) for i in shared[:TOP_TERMS])


def _theme_vectors(vectorizer: TfidfVectorizer, themes: Sequence[ThemeText]) -> np.ndarray | None:
    if not themes:
        return None
    texts = [f"{t.name} {t.description}" for t in themes]
    matrix: np.ndarray = vectorizer.transform(texts).toarray()
    return matrix


def _matching_theme(centroid: np.ndarray, theme_matrix: np.ndarray | None) -> int | None:
    """The theme whose name and description are most like the group's notes, if any is like
    them enough (`THEME_MATCH`); the first in the list on a tie."""
    if theme_matrix is None:
        return None
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return None
    best: int | None = None
    best_score = THEME_MATCH
    for index, row in enumerate(theme_matrix):
        row_norm = float(np.linalg.norm(row))
        if row_norm == 0:
            continue
        score = float(row @ centroid) / (norm * row_norm)
        if score >= best_score + 1e-12 or (best is None and score >= best_score):
            best, best_score = index, score
    return best


def normalised_name(name: str) -> str:
    """A theme's name as compared for sameness: lower case, spaces collapsed."""
    return re.sub(r"\s+", " ", name).strip().casefold()
