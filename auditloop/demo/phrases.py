"""The small phrase bank the demo council's audits are written from.

Sentences are joined at random, so findings vary from audit to audit without naming anyone:
no child, family member or worker is ever named in seeded text.
"""

from __future__ import annotations

# Service name -> the kinds of team it runs, each with the cohorts that team holds.
SERVICE_TEAMS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "Front Door and Assessment": [
        ("Multi-Agency Safeguarding Hub", ("CIN",)),
        ("Assessment Team", ("CIN", "CP")),
        ("Assessment Team", ("CIN", "CP")),
        ("Assessment Team", ("CIN",)),
        ("Disabled Children's Team", ("CIN", "CLA")),
        ("Emergency Duty Team", ("CIN",)),
        ("Assessment Team", ("CIN", "CP")),
        ("Adolescent Assessment Team", ("CIN", "CP")),
    ],
    "Safeguarding and Family Support": [
        ("Child Protection Team", ("CP", "CIN")),
        ("Child Protection Team", ("CP", "CIN")),
        ("Family Support Team", ("CIN",)),
        ("Family Support Team", ("CIN", "CP")),
        ("Court and Pre-Proceedings Team", ("CP", "CLA")),
        ("Exploitation and Missing Team", ("CP", "CIN")),
        ("Family Support Team", ("CIN",)),
        ("Child Protection Team", ("CP",)),
    ],
    "Children in Care and Care Leavers": [
        ("Children in Care Team", ("CLA",)),
        ("Children in Care Team", ("CLA",)),
        ("Permanence Team", ("CLA",)),
        ("Care Leavers Team", ("CL",)),
        ("Children in Care Team", ("CLA",)),
        ("Care Leavers Team", ("CL",)),
        ("Unaccompanied Children Team", ("CLA", "CL")),
        ("Fostering Support Team", ("CLA",)),
    ],
}

QA_SERVICE = "Quality Assurance and Practice Improvement"
QA_TEAM = "Quality Assurance Unit"
LOCALITIES = ["North", "South", "East", "West"]

THEMES = [
    "Domestic abuse",
    "Neglect",
    "Child exploitation",
    "Children missing from care",
    "Fathers and male carers",
    "Pre-birth assessments",
    "Step-down to early help",
    "Sibling placements",
]

STRENGTHS = [
    "The child's voice comes through clearly in direct work recorded over several visits.",
    "Visits are regular and purposeful, and the record says what was done and why.",
    "The assessment draws well on the family's history and on partners' information.",
    "Partners attend core groups and reviews, and their contributions are recorded.",
    "Supervision is regular and reflective, with clear actions followed up.",
    "The plan is specific and written in language the family can understand.",
    "The worker has built a trusting relationship with the child over time.",
    "The chronology is current and picks out the significant events.",
    "Identity, culture and language needs are explored and built into the plan.",
    "Management decisions are recorded with reasons at each key point.",
    "Contingency planning is clear, so everyone knows what happens if things do not improve.",
    "The child's wider family has been explored as a source of support.",
]

AREAS_FOR_DEVELOPMENT = [
    "The plan lists tasks rather than outcomes, so progress is hard to measure.",
    "Management oversight is recorded as 'agreed' without reasons or timescales.",
    "The chronology has not been updated since the last significant event.",
    "The child has not been seen alone at recent visits and no reason is recorded.",
    "The assessment describes events but does not analyse risk and need.",
    "Fathers and male carers are not assessed or included in planning.",
    "There is some drift between reviews; actions carry over unchanged.",
    "Health and education partners are absent from recent reviews.",
    "The child's views are generic and not linked to decisions.",
    "Supervision is irregular and does not test the plan against the child's progress.",
    "Recording is late, with gaps of several weeks in case notes.",
    "Identity needs are recorded but not explored or reflected in the plan.",
]

IMPACT_ON_CHILD = [
    "The child is safer than at the start of the plan and says they feel listened to.",
    "School attendance has improved and the child has a trusted adult at school.",
    "The child remains in a stable placement and is doing well in education.",
    "Progress is slow: the child's circumstances are much as they were at referral.",
    "The child's health needs are now met after a long delay.",
    "The difference for the child is unclear because outcomes are not measured.",
    "The child has re-established contact with their siblings, which they value.",
    "Risks from outside the home are reducing, but the child is still vulnerable.",
    "Drift in planning has left the child waiting too long for a permanent home.",
    "The child is more settled at home and parents are engaging with support.",
]

REFLECTIONS = [
    "Talking the case through helped me see where the plan had drifted.",
    "I had not realised how little of the child's own words were in the record.",
    "I will make more time for direct work before the next review.",
    "It was useful to hear how the chronology reads to someone new to the case.",
    "I found it reassuring that the work with the family was recognised.",
    "I want to bring the father into planning more than I have so far.",
]

PRACTITIONER_CONTRIBUTIONS = [
    "Described the direct work done with the child and what the child has said.",
    "Explained the recent change in the family's circumstances and the response to it.",
    "Talked through the plan and the barriers to progress.",
    "Shared the child's view of the plan and what they want to change.",
]

MANAGER_CONTRIBUTIONS = [
    "Agreed to record reasons for decisions at the next supervision.",
    "Explained the caseload pressures in the team over recent months.",
    "Committed to review the plan with the worker within two weeks.",
    "Recognised the drift and agreed a date for a review meeting.",
]

# Quality deep-dive domain code -> (working well, worried about) sentences.
DOMAIN_NOTES: dict[str, tuple[list[str], list[str]]] = {
    "D1": (
        [
            "Direct work shows clearly what daily life is like for the child.",
            "The child's views are recorded in their own words.",
        ],
        [
            "Lived experience is taken from adults' accounts.",
            "The child's views are out of date.",
        ],
    ),
    "D2": (
        [
            "The assessment uses history and partner information well.",
            "Analysis weighs harm, need and strengths.",
        ],
        [
            "The assessment is descriptive, with little analysis.",
            "Key adults are missing from the assessment.",
        ],
    ),
    "D3": (
        [
            "The plan is specific and reviewed on time.",
            "Contingency planning is clear.",
        ],
        [
            "The plan is a list of tasks with vague timescales.",
            "Reviews carry actions over unchanged.",
        ],
    ),
    "D4": (
        [
            "Partners contribute to plans and reviews.",
            "Information moves promptly between agencies.",
        ],
        [
            "A key agency is absent from recent meetings.",
            "There is little challenge between agencies.",
        ],
    ),
    "D5": (
        [
            "Supervision is regular and reflective.",
            "Decisions are recorded with reasons.",
        ],
        [
            "Oversight is recorded only as 'agreed'.",
            "Supervision actions are not followed up.",
        ],
    ),
    "D6": (
        [
            "The record tells the child's story clearly.",
            "The chronology is current.",
        ],
        [
            "Case notes are weeks behind.",
            "The chronology is a list without analysis.",
        ],
    ),
    "D7": (
        [
            "Identity needs are explored and met.",
            "An interpreter is used for every visit.",
        ],
        [
            "Identity details are recorded but not explored.",
            "Language needs are not reflected in the plan.",
        ],
    ),
    "D8": (
        [
            "There is clear progress against the plan's outcomes.",
            "The child is safer than at the start.",
        ],
        [
            "The difference for the child is unclear.",
            "Little has changed for the child since referral.",
        ],
    ),
}

# Compliance check code -> the evidence note an auditor writes when the answer is "No".
NO_EVIDENCE: dict[str, str] = {
    "A1": "The last recorded visit is outside the required interval.",
    "A2": "The child was not seen alone at the last visit and no reason is recorded.",
    "A3": "The child's wishes and feelings are not recorded in the current plan.",
    "A4": "The assessment took longer than 45 working days with no reason recorded.",
    "A5": "No strategy discussion is recorded before the s47 enquiries began.",
    "A6": "The initial conference was held outside 15 working days.",
    "A7": "The first core group met late and no later meetings are recorded.",
    "A8": "The last review was held late.",
    "A9": "No care plan was on file within 10 working days of placement.",
    "A10": "The health assessment is out of date.",
    "A11": "The PEP has not been reviewed this term.",
    "A12": "The chronology has not been updated since the last significant event.",
    "A13": "The decision at the last step is recorded without reasons.",
    "A14": "No case supervision is recorded in the last two months.",
    "A15": "Ethnicity and first language are not recorded.",
}

# Compliance check code -> the cohorts it applies to (others answer "not applicable").
CHECK_APPLIES: dict[str, frozenset[str]] = {
    "A1": frozenset({"CIN", "CP", "CLA"}),
    "A2": frozenset({"CIN", "CP", "CLA"}),
    "A4": frozenset({"CIN", "CP"}),
    "A5": frozenset({"CP"}),
    "A6": frozenset({"CP"}),
    "A7": frozenset({"CP"}),
    "A8": frozenset({"CP", "CLA", "CL"}),
    "A9": frozenset({"CLA"}),
    "A10": frozenset({"CLA"}),
    "A11": frozenset({"CLA"}),
}

ACTIONS = [
    "Update the chronology to include recent significant events.",
    "See the child alone at the next visit and record their views.",
    "Hold a review of the plan with partners and set measurable outcomes.",
    "Record the reasons for the last management decision on file.",
    "Book a health assessment and record the outcome.",
    "Invite the child's father to the next planning meeting.",
    "Review the PEP with the virtual school.",
    "Arrange monthly supervision and record actions and follow-up.",
    "Complete the outstanding assessment and share it with the family.",
    "Explore the child's identity needs and add them to the plan.",
]

ACTION_EVIDENCE = [
    "Chronology updated and checked in supervision.",
    "Child seen alone; views recorded in their own words.",
    "Review held with partners; plan rewritten with outcomes and dates.",
    "Decision and reasons recorded by the team manager.",
    "Health assessment completed; recommendations added to the plan.",
    "Father attended the planning meeting and is part of the plan.",
    "PEP reviewed with the virtual school and targets set.",
    "Supervision now monthly; notes on file.",
]

ESCALATION_REASONS = [
    "Recent police reports of domestic abuse in the home have not led to a strategy discussion.",
    "The child has not been seen for over two months despite concerns raised by school.",
    "The child has been missing from placement three times this month with no return interview.",
    "A new adult in the household has not been checked and the child has a bruise recorded.",
]

ESCALATION_RESPONSES = [
    "Strategy discussion held the same day; the child is safe and the plan is being reviewed.",
    "The child was seen at home the next day; a visit schedule is now in place.",
    "Return interviews arranged and a multi-agency exploitation meeting held.",
    "Checks completed on the adult; safety plan agreed with the family.",
]

REPLIES = [
    "Thank you for the feedback. I agree the chronology needs updating and have started on it.",
    "I found this helpful. I will make sure the child's views are clearer in the next plan.",
    "I accept most of this, though the delay in the assessment was due to the family moving.",
    "Thanks: it is good to see the direct work recognised.",
    "I have discussed this in supervision and we have agreed the actions.",
    "I disagree with the grade for planning: the plan was reviewed on time, see the notes.",
]

RETURN_REASONS = [
    "Please add evidence notes to the checks you answered 'No' and say more on the impact.",
    "The overall grade does not yet reflect the concerns you describe: please review.",
]

# The child's and the family's view (no one named: "my worker", "mum", "my foster carer"), as
# they would say it when things have got better, and when they have not.
CHILD_WORDS_BETTER = [
    "My worker listens to me and comes when she says she will.",
    "I didn't know why they kept coming at first. Now I do.",
    "It's better at home now. Mum isn't shouting as much.",
    "I like my foster carer. I want to stay here.",
    "They asked what I wanted and it went in my plan.",
    "I feel safer at school now that someone checks in with me.",
]
CHILD_WORDS_NOT = [
    "I want to see my brother more. I told them that at the meeting.",
    "I have had too many workers. I have to tell my story again every time.",
    "I don't like the meetings. Too many people talk about me.",
    "I wish they had asked me sooner.",
]
PARENT_WORDS_BETTER = [
    "At first I was scared of them, but the worker explained everything and was honest.",
    "The family group conference helped: we made our own plan.",
    "Things are calmer now. The parenting course helped more than I expected.",
    "They listened to what I said about the school and did something about it.",
    "The worker helped us get the housing sorted, which made the biggest difference.",
]
PARENT_WORDS_NOT = [
    "Nobody told us what was happening between meetings.",
    "I had three different workers in a year. It was hard to trust anyone.",
    "I felt judged in the first meeting, and it has not really changed.",
]
FAMILY_WOULD_HAVE_HELPED = [
    "Knowing who to call when the worker was off.",
    "Meetings at a time when I am not at work.",
    "Being told sooner what they were worried about.",
    "Seeing the same worker all the way through.",
    "Help with the school earlier on.",
    "Someone to talk to on my own.",
]
# Why contact was not made (said by the auditor).
CONTACT_NOT_MADE = [
    "No answer to three calls and a letter over two weeks.",
    "The young person did not want to talk to anyone new this time; their worker will ask again.",
    "The child is too young to give a view; the auditor observed them with their carer instead.",
    "The parent declined: they said they had said all they wanted at the review.",
    "The family moved away during the audit and could not be reached.",
]

# Practitioners' and managers' answers about being audited: what they will do differently.
EXPERIENCE_DO_DIFFERENTLY = [
    "Write the child's words down as they say them, not my summary.",
    "Update the chronology after every significant event, not before reviews.",
    "Bring the plan to supervision when it has not moved for a month.",
    "Ask fathers to take part from the start.",
    "Record why I made a decision, not only what I decided.",
    "Share the audit's feedback with the team at our next meeting.",
    "",
    "",
]
