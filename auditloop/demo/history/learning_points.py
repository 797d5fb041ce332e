"""The demo council's learning points: the starter theme list, and learning points marked in a
realistic share of the submitted and completed audits.

Good practice is marked on questions the audit graded well (Good or Outstanding, or a check
met), areas for development on those graded Requires improvement or Inadequate (or a check not
met), by the grade that counts (the agreed one after moderation). Most points carry a theme or
two; about one in five carries none, so that the audit lead's theme suggestions have notes to
group. Some name people, as auditors write: the child by an invented first name, "mum" and
"dad", and the allocated worker by their first name from the staff list, so that redaction has
something to take out wherever the notes leave their audit.

Built after the rest of the council from a generator seeded by one draw of the build's, so the
same seed gives the same rows; written in bulk, with past timestamps.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import SHARED_STATUSES, Answer, Audit, AuditType
from auditloop.audits.selectors.audits import answer_grade_counted
from auditloop.demo.council import Council, new_uuid
from auditloop.learning.defaults import DEFAULT_THEMES
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme

# The share of the audits that count in which the auditor marked learning points, and the
# share of points left without a theme.
MARKED_SHARE = 0.45
UNTAGGED_SHARE = 0.2
NAMED_SHARE = 0.4

# Invented first names for the children the notes are about.
CHILD_NAMES = (
    "Jayden",
    "Lily",
    "Amelia",
    "Kai",
    "Maisie",
    "Tyler",
    "Ruby",
    "Alfie",
    "Leah",
    "Mason",
    "Skye",
    "Reggie",
    "Precious",
    "Kacper",
    "Aisha",
    "Tomasz",
)


@dataclass(frozen=True)
class _Bank:
    good: tuple[str, ...]
    concern: tuple[str, ...]


# By theme: what auditors write when the practice is strong, and when it needs to develop.
BANK: dict[str, _Bank] = {
    "Voice of the child": _Bank(
        good=(
            "Direct work is recorded in the child's own words, and the plan says what changed "
            "because of what they said.",
            "The child was seen alone at every visit and their wishes and feelings are "
            "written up after each one.",
            "A three houses tool was used well; the child's worries and wishes shaped the "
            "safety plan.",
        ),
        concern=(
            "The child was not seen alone at the last three visits and no reason is recorded.",
            "Wishes and feelings are generic and copied from visit to visit; nothing links "
            "them to decisions.",
            "The child's lived experience is missing: we do not know what a day is like for them.",
        ),
    ),
    "Drift and delay": _Bank(
        good=(
            "Actions from the review were completed on time and the plan moved on.",
            "Timescales were kept throughout, and the reasons for one delay are recorded.",
        ),
        concern=(
            "Drift between reviews: the same actions carry over unchanged for six months.",
            "The assessment went well over 45 working days with no reason recorded; the "
            "delay left the child waiting.",
            "Drift and delay in planning: the core group has not met since the conference.",
        ),
    ),
    "Fathers and male carers not engaged": _Bank(
        good=(
            "Dad was assessed and invited to every meeting; his view is in the plan.",
            "The worker made real efforts to engage the father, including evening visits.",
        ),
        concern=(
            "The father is not mentioned in the assessment although he has regular contact.",
            "Mum's new partner lives in the home but has not been assessed or included in "
            "planning.",
            "Fathers and male carers are absent from the plan; no checks on the partner.",
        ),
    ),
    "Management oversight": _Bank(
        good=(
            "Supervision is reflective and recorded, with hypotheses and actions followed up.",
            "The manager's oversight at each key decision is recorded with clear reasons.",
        ),
        concern=(
            "Management oversight is recorded as 'agreed' without reasons or timescales.",
            "Supervision is irregular and does not test the plan against the child's progress.",
            "No management oversight recorded on the decision to step down.",
        ),
    ),
    "Chronology": _Bank(
        good=("The chronology is current, analytical and picks out the significant events.",),
        concern=(
            "The chronology has not been updated since the last significant event.",
            "The chronology is a list of contacts and does not show the pattern of harm.",
        ),
    ),
    "Domestic abuse": _Bank(
        good=("Domestic abuse is well understood; a safety plan was made with mum and reviewed.",),
        concern=(
            "Domestic abuse incidents reported by police are not analysed in the assessment.",
            "No safety planning after the latest domestic abuse incident.",
        ),
    ),
    "Neglect": _Bank(
        good=("The neglect toolkit was used to measure change in home conditions over time.",),
        concern=(
            "Neglect is described visit by visit but never measured; home conditions are "
            "unchanged.",
            "Missed health appointments and poor school attendance are not seen as neglect.",
        ),
    ),
    "Exploitation": _Bank(
        good=("Contextual safeguarding work with the school and police reduced missing episodes.",),
        concern=(
            "Missing episodes are not followed by return home interviews; exploitation risk "
            "is not assessed.",
            "Exploitation risk screening was not completed despite concerns from school.",
        ),
    ),
    "Neurodiversity": _Bank(
        good=("The child's autism is understood and visits are planned around their routines.",),
        concern=(
            "The child's ADHD diagnosis is recorded but not reflected in how the work is done.",
            "Communication needs are not considered; no adjustments for the child's autism.",
        ),
    ),
    "Cumulative harm": _Bank(
        good=(
            "The assessment draws on the whole history and shows the cumulative impact on "
            "the child.",
        ),
        concern=(
            "Each referral is treated on its own; the cumulative harm over years is not seen.",
        ),
    ),
    "Multi-agency working": _Bank(
        good=(
            "Partners attend core groups and reviews, and their contributions are recorded.",
            "Health and school shared information quickly and acted on the plan.",
        ),
        concern=(
            "Health and education partners are absent from recent reviews.",
            "No strategy discussion with police and health before the s47 enquiries.",
        ),
    ),
    "Plans not SMART": _Bank(
        good=("The plan is specific and measurable, written in language the family understands.",),
        concern=(
            "The plan lists tasks rather than outcomes; timescales and owners are missing.",
            "Outcomes in the plan are vague, with no timescales, so progress cannot be measured.",
        ),
    ),
    "Recording tells the child's story": _Bank(
        good=("The record tells the child's story clearly, in words the child could read later.",),
        concern=("Recording is late, with gaps of several weeks in case notes.",),
    ),
    "Permanence planning": _Bank(
        good=("Permanence was planned early, with a clear twin-track plan and timescales.",),
        concern=("There is no permanence plan at the second review; the child is waiting.",),
    ),
}

# Sentences that name people, added to some notes.
GOOD_NAMED = (
    "{worker} saw {child} alone at school and wrote down what {child} said.",
    "Mum told the auditor that {worker} is the first worker who has really listened.",
    "{child} said {worker} explains things and comes when they say they will.",
    "{worker} brought dad into the planning meeting, and {child} noticed.",
)
CONCERN_NAMED = (
    "{child}'s mum says she does not know what the plan is for.",
    "{worker} raised this in supervision but nothing was recorded.",
    "{child} told the auditor that dad is back in the house at weekends.",
    "{worker} was off sick for a month and nobody visited {child}.",
)

# The themes a question's learning falls under, by the question's code in the default tools.
THEMES_BY_CODE: dict[str, tuple[str, ...]] = {
    "D1": ("Voice of the child",),
    "D2": (
        "Fathers and male carers not engaged",
        "Cumulative harm",
        "Domestic abuse",
        "Neglect",
    ),
    "D3": ("Plans not SMART", "Drift and delay"),
    "D4": ("Multi-agency working", "Exploitation"),
    "D5": ("Management oversight",),
    "D6": ("Chronology", "Recording tells the child's story"),
    "D7": ("Neurodiversity",),
    "D8": ("Drift and delay", "Permanence planning"),
    "A1": ("Voice of the child",),
    "A2": ("Voice of the child",),
    "A3": ("Voice of the child",),
    "A4": ("Drift and delay",),
    "A5": ("Multi-agency working",),
    "A6": ("Drift and delay",),
    "A7": ("Drift and delay", "Multi-agency working"),
    "A8": ("Drift and delay",),
    "A9": ("Permanence planning", "Plans not SMART"),
    "A10": ("Multi-agency working",),
    "A11": ("Multi-agency working",),
    "A12": ("Chronology",),
    "A13": ("Management oversight",),
    "A14": ("Management oversight",),
    "A15": ("Neurodiversity",),
}
AS_A_WHOLE = ("Cumulative harm", "Multi-agency working", "Drift and delay")


@dataclass(frozen=True)
class _Answer:
    question_id: int
    code: str
    good: bool | None  # None: neither well nor poorly graded (or not answered)


def learning_points_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    """The starter theme list (again: building the council cleared the tables), then the
    learning points (the builder's one call for this part)."""
    del council  # The audits are read back from the database, as they were written.
    own = random.Random(rng.getrandbits(64))  # noqa: S311 - a seeded demo, not a secret
    themes = _themes(own, today)
    _points(own, themes)


def _themes(rng: random.Random, today: dt.date) -> dict[str, Theme]:
    Theme.objects.all().delete()
    created = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(9, 0), dt.UTC)
    Theme.objects.bulk_create(
        Theme(public_id=new_uuid(rng), name=name, description=description, created_at=created)
        for name, description in DEFAULT_THEMES
    )
    return {t.name: t for t in Theme.objects.all()}


def _answers(audit_ids: list[int]) -> dict[int, list[_Answer]]:
    by_audit: dict[int, list[_Answer]] = defaultdict(list)
    rows = (
        Answer.objects.filter(audit_id__in=audit_ids)
        .annotate(value=answer_grade_counted("value"))
        .order_by("audit_id", "question__section__order", "question__order")
        .values_list("audit_id", "question_id", "question__code", "compliance", "value")
    )
    for audit_id, question_id, code, compliance, value in rows.iterator(chunk_size=5000):
        good: bool | None = None
        if value is not None:
            good = True if value >= 3 else False if value <= 2 else None
        elif compliance in ("yes", "no"):
            good = compliance == "yes"
        by_audit[audit_id].append(_Answer(question_id, code, good))
    return by_audit


def _points(rng: random.Random, themes: dict[str, Theme]) -> None:
    audits = list(
        Audit.objects.filter(status__in=SHARED_STATUSES, submitted_at__isnull=False)
        .exclude(audit_type=AuditType.CALIBRATION)
        .order_by("pk")
        .values_list("pk", "auditor_id", "practitioner_id", "submitted_at")
    )
    chosen = [a for a in audits if rng.random() < MARKED_SHARE]
    answers = _answers([a[0] for a in chosen])
    first_names = {
        pk: name.split()[0]
        for pk, name in StaffMember.objects.filter(
            pk__in={a[2] for a in chosen if a[2] is not None}
        ).values_list("pk", "name")
    }
    points: list[LearningPoint] = []
    tags: list[list[Theme]] = []
    for audit_id, auditor_id, practitioner_id, submitted_at in chosen:
        if submitted_at is None:  # never: the query asked for submitted audits
            continue
        child = rng.choice(CHILD_NAMES)
        worker = first_names.get(practitioner_id) if practitioner_id else None
        for n, (kind, question_id, candidates) in enumerate(_picks(rng, answers.get(audit_id, []))):
            theme_name = rng.choice(candidates)
            bank = BANK[theme_name]
            good = kind == LearningPointKind.GOOD_PRACTICE
            text = rng.choice(bank.good if good else bank.concern)
            if worker and rng.random() < NAMED_SHARE:
                named = GOOD_NAMED if good else CONCERN_NAMED
                text = f"{text} {rng.choice(named).format(child=child, worker=worker)}"
            when = submitted_at - dt.timedelta(minutes=30 - 5 * n)
            points.append(
                LearningPoint(
                    public_id=new_uuid(rng),
                    audit_id=audit_id,
                    question_id=question_id,
                    kind=kind,
                    text=text,
                    author_id=auditor_id,
                    created_at=when,
                    updated_at=when,
                )
            )
            tagged: list[Theme] = []
            if rng.random() >= UNTAGGED_SHARE:
                tagged.append(themes[theme_name])
                others = [c for c in candidates if c != theme_name]
                if others and rng.random() < 0.3:
                    tagged.append(themes[rng.choice(others)])
            tags.append(tagged)
    LearningPoint.objects.bulk_create(points, batch_size=1000)
    through = LearningPoint.themes.through
    through.objects.bulk_create(
        (
            through(learningpoint_id=point.pk, theme_id=theme.pk)
            for point, chosen_themes in zip(points, tags, strict=True)
            for theme in chosen_themes
        ),
        batch_size=2000,
    )


def _picks(
    rng: random.Random, answers: list[_Answer]
) -> list[tuple[LearningPointKind, int | None, tuple[str, ...]]]:
    """One to three points for an audit: an area for development on a poorly graded question
    (if any), good practice on a well graded one (if any), now and then one about the audit
    as a whole."""
    picks: list[tuple[LearningPointKind, int | None, tuple[str, ...]]] = []
    poor = [a for a in answers if a.good is False and a.code in THEMES_BY_CODE]
    well = [a for a in answers if a.good is True and a.code in THEMES_BY_CODE]
    if poor and rng.random() < 0.85:
        answer = rng.choice(poor)
        picks.append((LearningPointKind.CONCERN, answer.question_id, THEMES_BY_CODE[answer.code]))
    if well and rng.random() < 0.7:
        answer = rng.choice(well)
        picks.append(
            (LearningPointKind.GOOD_PRACTICE, answer.question_id, THEMES_BY_CODE[answer.code])
        )
    if not picks or rng.random() < 0.15:
        kind = LearningPointKind.CONCERN if poor else LearningPointKind.GOOD_PRACTICE
        picks.append((kind, None, AS_A_WHOLE))
    return picks
