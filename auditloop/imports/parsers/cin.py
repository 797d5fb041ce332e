"""The Children in Need census XML (2024 schema: `GenderCurrent`; 2026 schema: `Sex`).

Parsed with lxml set never to resolve entities, never to reach the network and never to
build a huge tree; a file declaring entities (a billion-laughs bomb) is refused unread.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from auditloop.cases.models import Cohort
from auditloop.imports.parsers.base import (
    OLE_SIGNATURE,
    ZIP_SIGNATURES,
    CaseRecord,
    FileRejected,
    Issue,
    IssueLog,
    ParsedCases,
    Progress,
    no_progress,
)
from auditloop.imports.values import parse_child_id, parse_date, text

SEXES = {"1": "Male", "2": "Female", "0": "Not known", "9": "Not stated"}
LETTER_SEXES = {"M": "Male", "F": "Female", "U": "Not known"}
BOOLEAN_ELEMENTS = frozenset({"ReferralNFA", "ICPCnotRequired", "FGDMMeetingOffer"})


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c) == name]


def _first(element: Any, name: str) -> Any:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _value(element: Any, name: str) -> str:
    found = _first(element, name) if element is not None else None
    return text(found.text) if found is not None else ""


def load_xml(content: bytes, *, name: str) -> Any:
    """The parsed document, or a rejection: wrong type, entities, or malformed (with its line)."""
    if content.startswith(ZIP_SIGNATURES) or content.startswith(OLE_SIGNATURE):
        raise FileRejected(
            f"{name} is an Excel workbook or zip file, not the CIN census XML. Choose the XML "
            "file your case management system exported for the census."
        )
    head = content[:65536]
    if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
        raise FileRejected(
            f"{name} declares a document type or entities, which a CIN census file never does "
            "and which can be used to attack the server, so it was not read. Export the census "
            "file again from your case management system."
        )
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        raise FileRejected(
            f"{name} is not well-formed XML: {exc.msg} (line {line}). Export the census file "
            "again, or correct that line, and upload it again."
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise FileRejected(
            f"{name} declares a document type, which a CIN census file never does, so it was "
            "not read. Export the census file again."
        )
    return root


def parse_cin(content: bytes, *, name: str, progress: Progress = no_progress) -> ParsedCases:
    """Read a CIN census file. Raises FileRejected when it cannot be read at all."""
    root = load_xml(content, name=name)
    children = [c for c in root.iter() if _local(c) == "Child"]
    if _local(root) != "Message" or not children:
        raise FileRejected(
            f"{name} is XML but not a CIN census file: it has no <Message> with <Child> "
            "records. Choose the census file your case management system exported."
        )
    parsed = ParsedCases(records={}, issues=IssueLog(), rows=0, found=["CIN census"])
    for index, child in enumerate(children):
        _read_child(child, name, parsed)
        if index % 5000 == 0:
            progress(index / len(children))
    return parsed


def _issue(
    parsed: ParsedCases,
    name: str,
    element: Any,
    column: str,
    value: str,
    message: str,
    severity: str = "warning",
) -> None:
    line = element.sourceline if element is not None else None
    parsed.issues.append(Issue(name, line, column, value, message, severity))


def _date(parsed: ParsedCases, name: str, parent: Any, column: str) -> Any:
    element = _first(parent, column) if parent is not None else None
    if element is None:
        return None
    when, problem = parse_date(element.text)
    if problem:
        _issue(parsed, name, element, column, text(element.text), problem)
    return when


def _read_child(child: Any, name: str, parsed: ParsedCases) -> None:
    ids = _first(child, "ChildIdentifiers")
    raw_id = _value(ids, "LAchildID")
    child_id, problem = parse_child_id(raw_id)
    if child_id is None:
        _issue(parsed, name, child, "LAchildID", raw_id, problem, "error")
        return
    parsed.rows += 1
    fields: dict[str, Any] = {}
    dob = _date(parsed, name, ids, "PersonBirthDate")
    if dob is not None:
        fields["date_of_birth"] = dob
    _read_sex(ids, name, parsed, fields)
    _read_characteristics(_first(child, "ChildCharacteristics"), fields)
    open_cin, open_cp, closures = _read_episodes(child, name, parsed, fields)
    record = CaseRecord(
        la_child_id=child_id,
        cohort=Cohort.CP if open_cp else Cohort.CIN,
        fields={k: v for k, v in fields.items() if v is not None},
        is_open=open_cin,
        sheet=name,
        row=child.sourceline,
    )
    record.lists.add(7 if open_cp else 6)
    if not open_cin:
        record.keeps_status = True
        if closures:
            record.fields["closed_on"] = max(closures)
    parsed.records[child_id] = record


def _read_sex(ids: Any, name: str, parsed: ParsedCases, fields: dict[str, Any]) -> None:
    """The child's sex into `fields`, with a warning for a letter or an unknown code."""
    # 2024 schema: GenderCurrent; 2026 schema: Sex. Both coded 1 male, 2 female.
    sex_element = _first(ids, "Sex") if ids is not None else None
    if sex_element is None and ids is not None:
        sex_element = _first(ids, "GenderCurrent")
    if sex_element is None:
        return
    code = text(sex_element.text)
    if code in SEXES:
        fields["gender"] = SEXES[code]
    elif code.upper() in LETTER_SEXES:
        fields["gender"] = LETTER_SEXES[code.upper()]
        _issue(
            parsed,
            name,
            sex_element,
            _local(sex_element),
            code,
            "The census codes sex as 1 (male) or 2 (female); this letter was read as "
            f"{fields['gender'].lower()}.",
        )
    elif code:
        _issue(
            parsed,
            name,
            sex_element,
            _local(sex_element),
            code,
            "This is not a sex code the census uses (1 male, 2 female).",
        )


def _read_characteristics(traits: Any, fields: dict[str, Any]) -> None:
    """Ethnicity and disability (any coded disability but NONE is a yes) into `fields`."""
    ethnicity = _value(traits, "Ethnicity").upper()
    if ethnicity:
        fields["ethnicity"] = ethnicity[:60]
    disabilities = _first(traits, "Disabilities") if traits is not None else None
    if disabilities is not None:
        codes = {text(d.text).upper() for d in _children(disabilities, "Disability")}
        codes.discard("")
        if codes:
            fields["disability"] = "No" if codes == {"NONE"} else "Yes"


def _read_episodes(
    child: Any, name: str, parsed: ParsedCases, fields: dict[str, Any]
) -> tuple[bool, bool, list[Any]]:
    """Walk the CIN episodes into `fields`: (an episode is open, a plan is open, closure dates)."""
    open_cin = False
    open_cp = False
    closures = []
    for details in _children(child, "CINdetails"):
        _check_booleans(details, name, parsed)
        referral = _date(parsed, name, details, "CINreferralDate")
        closure = _date(parsed, name, details, "CINclosureDate")
        _latest(fields, "referral_date", referral)
        if closure is None:
            open_cin = True
            _latest(fields, "opened_on", referral)
        else:
            closures.append(closure)
        for assessment in _children(details, "Assessments"):
            _latest(
                fields,
                "assessment_completed",
                _date(parsed, name, assessment, "AssessmentAuthorisationDate"),
            )
        for plan in _children(details, "ChildProtectionPlans"):
            start = _date(parsed, name, plan, "CPPstartDate")
            end = _date(parsed, name, plan, "CPPendDate")
            if end is None and closure is None:
                open_cp = True
                fields["cp_plan_start"] = start
            for reviews in _children(plan, "Reviews"):
                _latest(fields, "latest_review", _date(parsed, name, reviews, "CPPreviewDate"))
    return open_cin, open_cp, closures


def _latest(fields: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and (fields.get(key) is None or value > fields[key]):
        fields[key] = value


def _check_booleans(details: Any, name: str, parsed: ParsedCases) -> None:
    for element in details.iter():
        if _local(element) in BOOLEAN_ELEMENTS:
            value = text(element.text)
            if value.casefold() in {"true", "false"}:
                _issue(
                    parsed,
                    name,
                    element,
                    _local(element),
                    value,
                    "The census codes this as 1 or 0; "
                    f"'{value}' was read as {1 if value.casefold() == 'true' else 0}.",
                )
