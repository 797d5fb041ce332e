"""The Ofsted Annex A workbook's vocabulary: which list a sheet is (by its headers), the
columns each list names and the header words councils use for them, and the flat row a usable
line of a list becomes (a `StagedRow`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditloop.cases.models import Cohort
from auditloop.imports.values import normalise_header

# How far down a sheet its header row may be (title rows above it are common).
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    # The list is recognised when every group has at least one of its header keys.
    signature: tuple[frozenset[str], ...]
    cohort: str | None = None
    # A header whose date says the child left this list (plan ended, ceased to be looked after).
    ended_by: str = ""


def _keys(*headers: str) -> frozenset[str]:
    return frozenset(normalise_header(h) for h in headers)


# Most specific first: a sheet is the first list whose signature it carries.
LISTS: tuple[ListSpec, ...] = (
    ListSpec(11, "Adopters", (_keys("Individual adopter identifier"),)),
    ListSpec(
        10,
        "Adoption",
        (_keys("Date of Decision that Child Should be Placed for Adoption"),),
    ),
    ListSpec(
        9,
        "Care leavers",
        (_keys("Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch"),),
        Cohort.CL,
    ),
    ListSpec(
        8,
        "Children looked after",
        (_keys("Date Started to be Looked After", "Date started to be looked after (CLA)"),),
        Cohort.CLA,
        "dateceasedtobelookedafter",
    ),
    ListSpec(
        7,
        "Child protection",
        (_keys("Child Protection Plan Start Date"),),
        Cohort.CP,
        "childprotectionplanenddate",
    ),
    ListSpec(6, "Children in need", (_keys("CIN Start Date"),), Cohort.CIN, "cinclosuredate"),
    ListSpec(
        5,
        "Section 47 enquiries and ICPCs",
        (
            _keys(
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Section 47 Enquiry Start Date",
            ),
        ),
        Cohort.CIN,
    ),
    ListSpec(
        4,
        "Assessments",
        (
            _keys(
                "Continuous Assessment Start Date",
                "Assessment Start Date",
            ),
            _keys("Allocated Team", "Allocated Worker"),
        ),
        Cohort.CIN,
    ),
    ListSpec(3, "Referrals", (_keys("Date of Referral"),), Cohort.CIN),
    ListSpec(2, "Early help", (_keys("Assessment start date"),)),
    ListSpec(1, "Contacts", (_keys("Date of Contact"),)),
)

# Canonical column → the header keys councils and template years use for it.
COLUMNS: dict[str, frozenset[str]] = {
    "child_id": _keys("Child Unique ID", "Child ID", "Unique ID", "LA Child ID", "ChildID"),
    "gender": _keys("Gender", "Sex"),
    "ethnicity": _keys("Ethnicity"),
    "date_of_birth": _keys("Date of Birth", "DOB"),
    "age": _keys("Age", "Age of Child (Years)", "Age of Child"),
    "disability": _keys("Does the Child have a Disability", "Disability"),
    "allocated_team": _keys("Allocated Team", "Team"),
    "allocated_worker": _keys("Allocated Worker", "Allocated Social Worker"),
    "referral_date": _keys("Date of Referral"),
    "referral_nfa": _keys("Referral NFA?", "Referral NFA"),
    "assessment_completed": _keys(
        "Continuous Assessment Date of Authorisation",
        "Assessment completion date",
        "Date of Authorisation",
    ),
    "opened_on": _keys("CIN Start Date"),
    "cin_closure": _keys("CIN Closure Date"),
    "last_seen": _keys("Date Child Was Last Seen"),
    "cp_plan_start": _keys("Child Protection Plan Start Date"),
    "cp_plan_end": _keys("Child Protection Plan End Date"),
    "last_statutory_visit": _keys(
        "Date of the Last Statutory Visit", "Date of Last Statutory Visit"
    ),
    "seen_alone": _keys("Was the Child Seen Alone?", "Was the Child Seen Alone"),
    "latest_review": _keys(
        "Date of latest review conference",
        "Date of Latest Statutory Review",
        "Date of latest review",
    ),
    "cla_start": _keys("Date Started to be Looked After"),
    "cla_end": _keys("Date Ceased to be Looked After"),
    "last_social_work_visit": _keys("Date of Last Social Work Visit"),
    "last_health_assessment": _keys("Date of Last Health Assessment"),
    "latest_pathway_plan_review": _keys("Latest Pathway Plan Review Date"),
    "latest_contact": _keys("Latest Date of Contact"),
    "placement_postcode": _keys("Placement postcode"),
}
HEADER_TO_COLUMN = {key: name for name, keys in COLUMNS.items() for key in keys}

# Columns read as dates, and the case file field each one fills (None: read, not stored).
DATE_COLUMNS: dict[str, str | None] = {
    "date_of_birth": "date_of_birth",
    "referral_date": "referral_date",
    "assessment_completed": "assessment_completed",
    "opened_on": "opened_on",
    "cin_closure": None,
    "last_seen": "last_statutory_visit",
    "cp_plan_start": "cp_plan_start",
    "cp_plan_end": None,
    "last_statutory_visit": "last_statutory_visit",
    "latest_review": "latest_review",
    "cla_start": "cla_start",
    "cla_end": None,
    "last_social_work_visit": "last_statutory_visit",
    "last_health_assessment": "last_health_assessment",
    "latest_pathway_plan_review": "latest_pathway_plan_review",
    "latest_contact": "last_statutory_visit",
}
END_COLUMNS = {"cin_closure", "cp_plan_end", "cla_end"}

GENDERS = {
    "male": "Male",
    "m": "Male",
    "1": "Male",
    "female": "Female",
    "f": "Female",
    "2": "Female",
    "not stated/recorded": "Not stated",
    "not stated": "Not stated",
    "not recorded": "Not stated",
    "9": "Not stated",
    "unknown": "Not known",
    "not known": "Not known",
    "u": "Not known",
    "0": "Not known",
    "neither": "Neither",
    "other": "Neither",
}
YES_NO = {"yes": "Yes", "y": "Yes", "true": "Yes", "1": "Yes", "no": "No", "n": "No"}
YES_NO |= {"false": "No", "0": "No"}
MEMO_SIZE = 50_000
# Rows handed to the sink at a time.
BATCH_ROWS = 2_000

# One usable row of a list, flat: where it came from, what it says. Dates are the case file's
# date fields as day numbers (`date.toordinal()`: small, fast to compare and to store; None
# when blank); texts are gender, ethnicity and disability (None when blank).
STAGED_DATES = (
    "date_of_birth",
    "referral_date",
    "assessment_completed",
    "opened_on",
    "cp_plan_start",
    "cla_start",
    "last_statutory_visit",
    "last_seen_alone",
    "latest_review",
    "last_health_assessment",
    "latest_pathway_plan_review",
)
STAGED_TEXTS = ("gender", "ethnicity", "disability")
STAGED_COLUMNS = (
    "seq",
    "sheet_no",
    "row_number",
    "child_id",
    "list_number",
    "cohort",
    "is_open",
    "ended_on",
    *STAGED_DATES,
    *STAGED_TEXTS,
    "team",
    "worker",
)
SEQ, SHEET, ROW, CHILD, LIST, COHORT, OPEN, ENDED = range(8)
DATES = range(8, 8 + len(STAGED_DATES))
TEXTS = range(DATES.stop, DATES.stop + len(STAGED_TEXTS))
TEAM, WORKER = TEXTS.stop, TEXTS.stop + 1
DATE_ITEMS = tuple(zip(DATES, STAGED_DATES, strict=True))
TEXT_ITEMS = tuple(zip(TEXTS, STAGED_TEXTS, strict=True))
type StagedRow = tuple[Any, ...]
type Sink = Callable[[list[StagedRow]], None]
YES = frozenset({"yes", "y"})
NUMERIC_IDS_NOTE = " (Told once per list, at the first such row.)"
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
