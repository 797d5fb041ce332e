"""Known vulnerabilities in the pinned packages: pip-audit over requirements/ and npm audit over
package-lock.json (`make supply-chain`, run by .ci/run).

Each audit ends in one of five outcomes, decided from what the tool printed (never from its exit
code alone: pip-audit says "No known vulnerabilities found" and exits 0 when every package was
skipped because the service answered 404):

- clean: the service answered and knows no vulnerability in these versions;
- fixable: a known vulnerability with a fixed version available: the step FAILS;
- unfixable: known vulnerabilities with no fix yet: a warning (nothing to upgrade to);
- unreachable: the vulnerability service could not be asked (no network, a mirror without the
  audit endpoint): a warning, so CI is not red for a network reason; --require-service (or
  AUDITLOOP_SUPPLY_CHAIN_REQUIRE_SERVICE=1) makes it fail, for a CI that has the network;
- error: the tool itself failed (a file missing, output it cannot read): the step FAILS.

Exit status: 1 when an audit is fixable or an error, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ("requirements/base.txt", "requirements/dev.txt")
TIMEOUT_SECONDS = 300

Outcome = Literal["clean", "fixable", "unfixable", "unreachable", "error"]
FAILING: frozenset[Outcome] = frozenset({"fixable", "error"})

NPM_LEVELS = ("info", "low", "moderate", "high", "critical")

# What pip-audit (and requests under it) print when the service cannot be asked.
PIP_AUDIT_NETWORK = re.compile(
    r"Could not connect to|network may be blocking|ConnectionError|NameResolutionError|"
    r"Max retries exceeded|Failed to resolve|Temporary failure in name resolution|"
    r"timed out|ConnectTimeout|ReadTimeout|HTTPError|ProxyError|SSLError"
)
PIP_AUDIT_NOT_FOUND = "not found on PyPI"
# npm's codes for a request that never got an answer; an HTTP status from the audit endpoint
# (the registry or a mirror without it: 404, 405, 5xx) is an unreachable service too.
NPM_NETWORK_CODES = frozenset(
    {
        "ENOTFOUND",
        "EAI_AGAIN",
        "ECONNREFUSED",
        "ECONNRESET",
        "ETIMEDOUT",
        "ESOCKETTIMEDOUT",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "EPROTO",
        "CERT_HAS_EXPIRED",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    }
)


@dataclass
class Verdict:
    tool: str
    outcome: Outcome
    lines: list[str] = field(default_factory=list)

    @property
    def fails(self) -> bool:
        return self.outcome in FAILING

    def report(self) -> str:
        heading = {
            "clean": "no known vulnerability",
            "fixable": "FAILED: known vulnerabilities with a fix available",
            "unfixable": "WARNING: known vulnerabilities with no fix available yet",
            "unreachable": "WARNING: could not reach the vulnerability service; NOT audited",
            "error": "FAILED: the audit itself failed",
        }[self.outcome]
        return "\n".join([f"{self.tool}: {heading}", *(f"  {line}" for line in self.lines)])


def _last_lines(text: str, count: int = 3) -> list[str]:
    return [line for line in text.strip().splitlines() if line.strip()][-count:]


def pip_audit_verdict(returncode: int, stdout: str, stderr: str) -> Verdict:
    """pip-audit's JSON (`-f json`): each dependency has `vulns` (each with its `fix_versions`)
    or a `skip_reason`."""
    tool = "pip-audit"
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict) or not isinstance(report.get("dependencies"), list):
        if PIP_AUDIT_NETWORK.search(stderr):
            return Verdict(tool, "unreachable", _last_lines(stderr))
        return Verdict(tool, "error", [f"exit {returncode}, no JSON report", *_last_lines(stderr)])
    dependencies: list[dict[str, Any]] = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if not audited:
        if skipped and all(PIP_AUDIT_NOT_FOUND in d["skip_reason"] for d in skipped):
            return Verdict(
                tool,
                "unreachable",
                [
                    f"the service answered 'not found' for all {len(skipped)} packages "
                    "(a mirror without PyPI's JSON API?)"
                ],
            )
        return Verdict(tool, "error", ["no package was audited", *_skipped_lines(skipped)])
    fixable: list[str] = []
    unfixable: list[str] = []
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            name = f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']}"
            fixes = vuln.get("fix_versions") or []
            if fixes:
                fixable.append(f"{name} (fixed in {', '.join(fixes)})")
            else:
                unfixable.append(f"{name} (no fixed version)")
    lines = [*fixable, *unfixable, *_skipped_lines(skipped)]
    lines.append(f"{len(audited)} packages audited, {len(skipped)} skipped")
    if fixable:
        return Verdict(tool, "fixable", lines)
    if unfixable:
        return Verdict(tool, "unfixable", lines)
    return Verdict(tool, "clean", lines)


def _skipped_lines(skipped: list[dict[str, Any]]) -> list[str]:
    return [f"skipped {d['name']}: {d['skip_reason']}" for d in skipped]


def npm_audit_verdict(returncode: int, stdout: str, stderr: str, level: str = "low") -> Verdict:
    """npm audit's JSON (`--json`, report version 2): `vulnerabilities` by package, each with
    its `severity` and `fixAvailable` (false, true, or the upgrade that fixes it); or, when the
    audit could not be made, an error object."""
    tool = "npm audit"
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        if "audit endpoint returned an error" in stderr or any(
            network_code in stderr for network_code in NPM_NETWORK_CODES
        ):
            return Verdict(tool, "unreachable", _last_lines(stderr))
        return Verdict(tool, "error", [f"exit {returncode}, no JSON report", *_last_lines(stderr)])
    if "vulnerabilities" not in report:
        return _npm_error_verdict(tool, returncode, report, stderr)
    threshold = NPM_LEVELS.index(level)
    fixable: list[str] = []
    unfixable: list[str] = []
    for name, vuln in sorted(report["vulnerabilities"].items()):
        severity = vuln.get("severity", "critical")
        if severity in NPM_LEVELS and NPM_LEVELS.index(severity) < threshold:
            continue
        fix = vuln.get("fixAvailable")
        line = f"{name} {vuln.get('range', '')} ({severity})".replace("  ", " ")
        if fix is True:
            fixable.append(f"{line}: `npm audit fix` fixes it")
        elif isinstance(fix, dict):
            major = " (a major upgrade)" if fix.get("isSemVerMajor") else ""
            fixable.append(f"{line}: fixed by {fix.get('name')} {fix.get('version')}{major}")
        else:
            unfixable.append(f"{line}: no fix available")
    total = report.get("metadata", {}).get("dependencies", {}).get("total")
    lines = [*fixable, *unfixable]
    if total is not None:
        lines.append(f"{total} packages audited (severity {level} and above counted)")
    if fixable:
        return Verdict(tool, "fixable", lines)
    if unfixable:
        return Verdict(tool, "unfixable", lines)
    return Verdict(tool, "clean", lines)


def _npm_error_verdict(tool: str, returncode: int, report: dict[str, Any], stderr: str) -> Verdict:
    error = report.get("error") if isinstance(report.get("error"), dict) else {}
    code = str((error or {}).get("code") or "")
    status = report.get("statusCode")
    message = str(report.get("message") or (error or {}).get("summary") or "").strip()
    said = f"{message}\n{stderr}"
    if (
        isinstance(status, int)
        or code in NPM_NETWORK_CODES
        or re.fullmatch(r"E\d{3}", code)
        or any(network_code in said for network_code in NPM_NETWORK_CODES)
        or "audit endpoint returned an error" in stderr
    ):
        detail = f"HTTP {status}" if isinstance(status, int) else code or "no answer"
        return Verdict(tool, "unreachable", [f"{detail}: {message}"])
    return Verdict(tool, "error", [f"exit {returncode}, {code or 'error'}: {message}"])


def _run(command: list[str]) -> tuple[int, str, str]:
    try:
        done = subprocess.run(  # noqa: S603
            command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        return 127, "", f"{command[0]}: command not found"
    except subprocess.TimeoutExpired:
        return 124, "", f"{' '.join(command)}: timed out after {TIMEOUT_SECONDS}s"
    return done.returncode, done.stdout, done.stderr


def run_pip_audit() -> Verdict:
    # Every package is pinned: audit the files as written, without resolving (no network for
    # pip, no build), each file named (pip-audit does not follow dev.txt's `-r base.txt`).
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
    ]
    for requirements in REQUIREMENTS:
        command += ["--requirement", requirements]
    return pip_audit_verdict(*_run(command))


def run_npm_audit(level: str) -> Verdict:
    command = ["npm", "audit", "--json", "--package-lock-only", f"--audit-level={level}"]
    return npm_audit_verdict(*_run(command), level=level)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require-service",
        action="store_true",
        default=os.environ.get("AUDITLOOP_SUPPLY_CHAIN_REQUIRE_SERVICE", "").strip().lower()
        in {"1", "true", "yes", "on"},
        help="fail when a vulnerability service cannot be reached, instead of warning",
    )
    parser.add_argument(
        "--npm-audit-level",
        choices=NPM_LEVELS,
        default=os.environ.get("AUDITLOOP_NPM_AUDIT_LEVEL", "low"),
        help="the lowest npm severity that counts (default: low)",
    )
    args = parser.parse_args(argv)
    verdicts = [run_pip_audit(), run_npm_audit(args.npm_audit_level)]
    failed = False
    for verdict in verdicts:
        print(verdict.report())
        failed = failed or verdict.fails
        failed = failed or (args.require_service and verdict.outcome == "unreachable")
    if any(v.outcome == "unreachable" for v in verdicts) and args.require_service:
        print(
            "supply chain: FAILED: a vulnerability service could not be reached and "
            "--require-service (AUDITLOOP_SUPPLY_CHAIN_REQUIRE_SERVICE) asks that it is.",
            file=sys.stderr,
        )
    elif any(v.outcome == "unreachable" for v in verdicts):
        print(
            "supply chain: at least one audit could not reach its vulnerability service, so "
            "those packages were NOT checked; run `make supply-chain` where it can be reached.",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
