from __future__ import annotations

from auditloop.audits.defaults import default_tools_install
from auditloop.audits.models import AuditTool, Grade, Question, QuestionKind, ToolVersion
from auditloop.audits.selectors.tools import tool_version_problems
from auditloop.testing import Personas


def test_the_compliance_dip_sample_ships_with_fifteen_checks(p: Personas) -> None:
    questions = Question.objects.filter(section__version=p.compliance_tool).order_by("order")
    assert [q.code for q in questions] == [f"A{n}" for n in range(1, 16)]
    assert {q.kind for q in questions} == {QuestionKind.COMPLIANCE}
    assert {q.code for q in questions if q.alert_on_no} == {"A1", "A2", "A5"}
    assert all(q.basis and q.applies_to for q in questions)


def test_the_quality_deep_dive_ships_with_eight_graded_domains_and_their_descriptors(
    p: Personas,
) -> None:
    version = p.quality_tool
    questions = Question.objects.filter(section__version=version).order_by("order")
    assert [q.code for q in questions] == [f"D{n}" for n in range(1, 9)]
    assert {q.kind for q in questions} == {QuestionKind.GRADED}
    assert version.grading_scale.slug == "ofsted-four"
    d1 = questions[0]
    assert d1.text.startswith("Voice and lived experience")
    assert d1.descriptors["inadequate"].startswith("The child is not seen")
    # Every grade of the scale has a descriptor for every domain: the version could be published.
    assert tool_version_problems(version) == []


def test_both_default_tools_are_published_version_1(p: Personas) -> None:
    for version in (p.compliance_tool, p.quality_tool):
        assert version.number == 1
        assert version.is_published
        assert version.tool.current_version == version


def test_installing_the_defaults_again_changes_nothing(p: Personas) -> None:
    counts = (
        AuditTool.objects.count(),
        ToolVersion.objects.count(),
        Question.objects.count(),
        Grade.objects.count(),
    )
    default_tools_install()
    assert counts == (
        AuditTool.objects.count(),
        ToolVersion.objects.count(),
        Question.objects.count(),
        Grade.objects.count(),
    )
