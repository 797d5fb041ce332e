"""The supply-chain step (scripts/supply_chain.py, in .ci/run) fails on a known vulnerability
with a fix available, warns on one without a fix, and tells "could not reach the vulnerability
service" (a warning) apart from "found vulnerabilities" (a failure): decided here from outputs
the tools themselves printed (fixtures/supply_chain/ORIGIN.md says how each was recorded)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
RECORDED = Path(__file__).parent / "fixtures" / "supply_chain"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "supply_chain", BASE_DIR / "scripts" / "supply_chain.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["supply_chain"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


supply_chain = _load_script()


def _recorded(name: str, suffix: str) -> str:
    path = RECORDED / f"{name}{suffix}"
    return path.read_text() if path.exists() else ""


def pip_audit(name: str, returncode: int) -> Any:
    return supply_chain.pip_audit_verdict(
        returncode, _recorded(f"pip-audit-{name}", ".json"), _recorded(f"pip-audit-{name}", ".err")
    )


def npm_audit(name: str, returncode: int, level: str = "low") -> Any:
    return supply_chain.npm_audit_verdict(
        returncode,
        _recorded(f"npm-audit-{name}", ".json"),
        _recorded(f"npm-audit-{name}", ".err"),
        level=level,
    )


def test_pip_audit_fails_on_a_vulnerability_with_a_fixed_version() -> None:
    verdict = pip_audit("fixable", 1)
    assert verdict.outcome == "fixable"
    assert verdict.fails
    report = verdict.report()
    assert "django 6.1.3: PYSEC-TEST-0001 (fixed in 6.1.4)" in report
    # The one without a fix is listed too, for the reader.
    assert "pyasn1 0.6.5: GHSA-test-0004 (no fixed version)" in report


def test_pip_audit_only_warns_on_a_vulnerability_nobody_has_fixed_yet() -> None:
    verdict = pip_audit("unfixable", 1)
    assert verdict.outcome == "unfixable"
    assert not verdict.fails
    assert "WARNING" in verdict.report()


def test_pip_audit_passes_when_the_service_knows_no_vulnerability() -> None:
    verdict = pip_audit("clean", 0)
    assert verdict.outcome == "clean"
    assert "93 packages audited, 0 skipped" in verdict.report()


def test_pip_audit_skipping_every_package_as_not_found_is_an_unreachable_service() -> None:
    # pip-audit itself printed "No known vulnerabilities found" and exited 0 for this one.
    verdict = pip_audit("unreachable-pypi-404", 0)
    assert verdict.outcome == "unreachable"
    assert not verdict.fails
    assert "could not reach the vulnerability service" in verdict.report()
    assert "all 93 packages" in verdict.report()


def test_pip_audit_unable_to_resolve_the_service_is_an_unreachable_service() -> None:
    verdict = pip_audit("unreachable-osv-blocked", 1)
    assert verdict.outcome == "unreachable"
    assert not verdict.fails


def test_pip_audit_failing_for_another_reason_fails_the_step() -> None:
    verdict = pip_audit("error-missing-file", 1)
    assert verdict.outcome == "error"
    assert verdict.fails
    assert "invalid requirements input" in verdict.report()


def test_npm_audit_fails_on_a_vulnerability_with_a_fix_available() -> None:
    verdict = npm_audit("fixable", 1)
    assert verdict.outcome == "fixable"
    assert verdict.fails
    report = verdict.report()
    assert "sass <1.98.0 (moderate): fixed by sass 1.108.2" in report
    assert "htmx.org >=2.0.0 <4.0.0 (high): fixed by htmx.org 4.0.1 (a major upgrade)" in report


def test_npm_audit_only_warns_on_a_vulnerability_without_a_fix() -> None:
    verdict = npm_audit("unfixable", 1)
    assert verdict.outcome == "unfixable"
    assert not verdict.fails
    assert "htmx.org * (moderate): no fix available" in verdict.report()


def test_npm_audit_passes_when_the_registry_knows_no_vulnerability() -> None:
    verdict = npm_audit("clean", 0)
    assert verdict.outcome == "clean"
    assert "25 packages audited" in verdict.report()


def test_npm_audit_counts_only_the_severities_at_or_above_the_level() -> None:
    # The fixable report's sass is moderate and its htmx.org high.
    assert npm_audit("fixable", 1, level="high").outcome == "fixable"
    verdict = npm_audit("fixable", 1, level="critical")
    assert verdict.outcome == "clean"


def test_npm_audit_refused_by_the_registry_is_an_unreachable_service() -> None:
    verdict = npm_audit("unreachable-405", 1)
    assert verdict.outcome == "unreachable"
    assert not verdict.fails
    assert "HTTP 405" in verdict.report()


def test_npm_audit_unable_to_resolve_the_registry_is_an_unreachable_service() -> None:
    verdict = npm_audit("unreachable-enotfound", 1)
    assert verdict.outcome == "unreachable"


def test_npm_audit_without_a_lock_file_fails_the_step() -> None:
    verdict = npm_audit("error-no-lock", 1)
    assert verdict.outcome == "error"
    assert verdict.fails
    assert "ENOLOCK" in verdict.report()


def test_output_neither_tool_would_print_fails_the_step() -> None:
    assert supply_chain.pip_audit_verdict(1, "not json", "Segmentation fault").fails
    assert supply_chain.npm_audit_verdict(1, "", "npm: command not found").fails


@pytest.mark.parametrize(
    ("pip_outcome", "npm_outcome", "require_service", "status"),
    [
        ("clean", "clean", False, 0),
        ("unreachable", "unreachable", False, 0),
        ("unreachable", "unreachable", True, 1),
        ("unfixable", "clean", False, 0),
        ("clean", "fixable", False, 1),
        ("fixable", "unreachable", False, 1),
        ("error", "clean", False, 1),
    ],
)
def test_the_step_fails_on_fixable_or_broken_audits_and_warns_otherwise(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pip_outcome: str,
    npm_outcome: str,
    require_service: bool,
    status: int,
) -> None:
    monkeypatch.setattr(
        supply_chain, "run_pip_audit", lambda: supply_chain.Verdict("pip-audit", pip_outcome)
    )
    monkeypatch.setattr(
        supply_chain,
        "run_npm_audit",
        lambda level: supply_chain.Verdict("npm audit", npm_outcome),
    )
    argv = ["--require-service"] if require_service else []
    assert supply_chain.main(argv) == status
    if "unreachable" in (pip_outcome, npm_outcome):
        said = capsys.readouterr().err
        assert ("FAILED" in said) if require_service else ("NOT checked" in said)
