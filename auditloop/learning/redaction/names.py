"""Person names the product does not know: first names and surnames from the name lists that
Faker ships (imported, never copied), the English words that are also names, and the context
words that say a capitalised word is a person's name and whose.

Pure code: no ORM. Built once per process (`person_name_lists()` is cached).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

# Faker's person providers in Latin script for the families an English council works with:
# British, Irish, American and generic English lists, and those of South Asian, African and
# European families. Each is imported from the installed package, so the lists are Faker's.
_PERSON_LOCALES = (
    "en",
    "en_GB",
    "en_IE",
    "en_US",
    "en_IN",
    "en_PK",
    "en_NG",
    "en_KE",
    "en_NZ",
    "yo_NG",
    "ha_NG",
    "ig_NG",
    "sw",
    "pl_PL",
    "ro_RO",
    "lt_LT",
    "tr_TR",
    "pt_PT",
    "it_IT",
    "es_ES",
    "fr_FR",
    "de_DE",
)

# Words written capitalised in audit notes that are never a person's name there: the words of
# services, plans, meetings, places and professions, months and days. A name list entry that
# is one of these ("Child", "Court", "May", "Hospital") counts only with a context cue
# ("Mrs May", "her mum, June").
_NEVER_ALONE = frozenset(
    """
    a an and as at be but by for from he her his i if in is it its me my no not of on or our
    she so than that the their them then there these they this those to up us was we were
    what when where which who why will with you your yes ok okay also all any each every
    child children young person people family families parent parents mother father mum dad
    carer carers foster kinship sibling siblings brother sister son daughter baby twins
    grandmother grandfather nan nanna grandad uncle aunt aunty auntie cousin partner social
    worker workers manager team service services council court police school schools health
    hospital nurse doctor gp midwife health visitor teacher head headteacher college academy
    nursery primary secondary university centre center unit ward clinic plan plans planning
    review reviews conference conferences meeting meetings panel group core strategy
    discussion assessment assessments visit visits record records case cases file files note
    notes chronology supervision supervisor oversight audit audits auditor protection
    protected need needs help early support safeguarding referral referrals looked after
    care leaver leavers pathway placement placements order orders section legal proceedings
    public law outline letter independent reviewing officer iro agency agencies partnership
    board committee authority local education housing mental substance misuse domestic abuse
    violence neglect risk risks concern concerns good outstanding requires improvement
    inadequate grade grades practice voice strengths difficulties questionnaire sdq ehcp
    send sen camhs ofsted nhs north south east west street road avenue lane close drive way
    court crescent place january february march april may june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday christmas
    easter summer spring autumn winter today tomorrow yesterday england english british
    scotland wales ireland london life story book work direct passport leaving pathway bank
    holiday
    """.split(),  # noqa: SIM905
)

# Names that are also ordinary English words, beyond those in Faker's own English word list:
# such a name counts when it is capitalised and not the first word of a sentence, or with a
# context cue; "Hope was recorded" at a sentence start is a word.
_NAME_WORDS = frozenset(
    """
    hope will may bill grace faith rose mark frank dawn joy summer ivy jack april june
    august autumn amber angel angela art bell belle berry blue brook brooke buck bud carol
    chance chase cliff clay crystal daisy dale dean destiny drew earl faye fern fleur gay
    gene gill glen guy hazel heather holly honey iris ivory jade jasmine jay jewel king lane
    lily lou major matt max melody mercy miles misty nick noble olive opal pat patience
    pearl penny poppy prince rain ray reed rich river robin rock rocky rod ruby rusty sage
    sandy sky sonny sterling stone storm sue sunny violet wade ward wells wes willow winter
    wood young green white black gray grey long little small short cook page hall church
    field hill house wall west north law lord love hart park price best bright early fair
    free gold golden hale hardy jolly keen lamb lee light lucky mills moon swift wise worthy
    well bolt bond brand bush case close cross dear duke fine ford fox frost gates glass
    grant hand hay heart heath hood horn hurst kind knight lake land line lock low march
    marsh mayor more moss nash new oak pace paris peace pike pool post power read reason
    rice ridge rivers rush sales sands say see shaw sharp son spring star steel stern still
    story strong such sweet tall tate toll trim true vale warren waters way wild willing win
    """.split(),  # noqa: SIM905
)


@dataclass(frozen=True)
class NameLists:
    """Lower-cased first names and surnames, and the words among them."""

    first: frozenset[str]
    last: frozenset[str]
    # Entries that are also ordinary words: they count only capitalised mid-sentence, or cued.
    words: frozenset[str]
    # Entries that are never a name without a cue.
    never_alone: frozenset[str]


def _provider_names(locale: str) -> tuple[set[str], set[str]]:
    module = importlib.import_module(f"faker.providers.person.{locale}")
    provider = module.Provider
    first: set[str] = set()
    last: set[str] = set()
    for attribute in ("first_names", "first_names_female", "first_names_male"):
        first.update(_names(getattr(provider, attribute, ())))
    last.update(_names(getattr(provider, "last_names", ())))
    return first, last


def _names(values: Iterable[object]) -> set[str]:
    # Faker keeps some lists as {name: weight} dicts and some as tuples: both iterate names.
    return {
        str(name).strip().lower()
        for name in values
        if len(str(name).strip()) >= 3 and str(name).replace("-", "").replace("'", "").isalpha()
    }


@cache
def person_name_lists() -> NameLists:
    from faker.providers.lorem.en_US import Provider as EnglishWords

    first: set[str] = set()
    last: set[str] = set()
    for locale in _PERSON_LOCALES:
        names_first, names_last = _provider_names(locale)
        first |= names_first
        last |= names_last
    english = {w.lower() for w in EnglishWords.word_list}
    every = first | last
    words = frozenset((english & every) | (_NAME_WORDS & every) | _NAME_WORDS)
    return NameLists(
        first=frozenset(first | (_NAME_WORDS & first)),
        last=frozenset(last),
        words=words,
        never_alone=_NEVER_ALONE,
    )


# Context cues, lower-cased as the automaton reads them, each with the placeholder the name
# next to it takes. A cue before a name: "mother Kelly", "Mrs Khan", "her brother Tyler".
# A cue after a name's possessive: "Kayden's mum" (Kayden is the child).
TITLES: dict[str, str] = {
    "mr": "[person]",
    "mrs": "[person]",
    "ms": "[person]",
    "miss": "[person]",
    "mx": "[person]",
    "dr": "[person]",
}

RELATIONS_BEFORE: dict[str, str] = {
    # A parent named: "mother Kelly", "mum, Chantelle,".
    **dict.fromkeys(
        [
            "mother",
            "mum",
            "mom",
            "mummy",
            "father",
            "dad",
            "daddy",
            "stepfather",
            "step father",
            "stepmother",
            "step mother",
            "stepdad",
            "step dad",
            "stepmum",
            "step mum",
            "birth mother",
            "birth father",
            "parent",
            "parents",
        ],
        "[parent]",
    ),
    **dict.fromkeys(
        [
            "carer",
            "foster carer",
            "foster carers",
            "kinship carer",
            "connected person",
            "special guardian",
            "adopter",
            "adoptive mother",
            "adoptive father",
            "foster mum",
            "foster dad",
        ],
        "[carer]",
    ),
    **dict.fromkeys(
        [
            "child",
            "the child",
            "young person",
            "baby",
            "son",
            "daughter",
            "brother",
            "sister",
            "half brother",
            "half sister",
            "stepbrother",
            "stepsister",
            "sibling",
            "siblings",
            "twin",
            "toddler",
            "infant",
            "boy",
            "girl",
            "teenager",
            "unborn",
        ],
        "[child]",
    ),
    **dict.fromkeys(
        [
            "grandmother",
            "grandfather",
            "grandma",
            "grandad",
            "granddad",
            "nan",
            "nana",
            "nanna",
            "aunt",
            "aunty",
            "auntie",
            "uncle",
            "cousin",
            "partner",
            "boyfriend",
            "girlfriend",
            "friend",
            "neighbour",
            "teacher",
            "headteacher",
            "head teacher",
            "health visitor",
            "midwife",
            "gp",
            "nurse",
            "officer",
            "pc",
            "ds",
            "dc",
            "senco",
            "iro",
            "solicitor",
            "guardian",
            "advocate",
            "therapist",
            "psychologist",
            "paediatrician",
        ],
        "[person]",
    ),
}

# After "X's": the relation says X is a child ("Kayden's mum", "Amira's school").
RELATIONS_AFTER: dict[str, str] = dict.fromkeys(
    [
        "mum",
        "mother",
        "dad",
        "father",
        "parents",
        "carer",
        "carers",
        "foster carer",
        "foster carers",
        "stepfather",
        "step father",
        "stepmother",
        "step mother",
        "nan",
        "grandmother",
        "grandparents",
        "school",
        "nursery",
        "teacher",
        "class",
        "brother",
        "sister",
        "siblings",
        "bedroom",
        "placement",
        "birthday",
        "wishes",
        "views",
        "voice",
        "plan",
        "health",
        "education",
        "behaviour",
        "attendance",
        "needs",
        "development",
    ],
    "[child]",
)

# "X (aged 7)", "X, aged 7", "X, age 7": X is a child.
AGE_WORDS = ("aged", "age")

# Speech and perception: a capitalised word directly before one of these is a person speaking
# or being seen ("Ruby said", "Lily told the auditor", "what Maisie said"), even a name that
# is also a word, and even at a sentence's start.
NAME_BEFORE_VERBS: tuple[str, ...] = (
    "said",
    "says",
    "told",
    "tells",
    "explained",
    "explains",
    "shared",
    "shares",
    "described",
    "describes",
    "wants",
    "wanted",
    "was seen",
    "is frightened",
    "was frightened",
)

# A capitalised word directly after one of these is the person seen or spoken to ("saw Maisie
# alone", "nobody visited Maisie", "spoke with Kayden").
VERBS_BEFORE_NAME: tuple[str, ...] = (
    "saw",
    "seen",
    "visited",
    "met",
    "spoke to",
    "spoke with",
    "asked",
    "told",
)

# Capitalised words before or after such a verb that are not a name: pronouns, the words for
# everybody and nobody, and the groups of people notes speak of.
NOT_A_SPEAKER = frozenset(
    """
    i he she they we it you who which that this there here what everyone everybody someone
    somebody anyone anybody nobody noone none both all each either neither staff
    professionals agencies others another
    """.split()  # noqa: SIM905
)

# The cues after which a part of a staff member's name is taken for a relative's, a child's or
# a member of the public's (a cue of a profession, "IRO", "advocate", "officer", may name a
# colleague: there the staff placeholder stays).
PROFESSIONAL_CUES = frozenset(
    [
        "teacher",
        "headteacher",
        "head teacher",
        "health visitor",
        "midwife",
        "gp",
        "nurse",
        "officer",
        "pc",
        "ds",
        "dc",
        "senco",
        "iro",
        "solicitor",
        "guardian",
        "advocate",
        "therapist",
        "psychologist",
        "paediatrician",
    ]
)
