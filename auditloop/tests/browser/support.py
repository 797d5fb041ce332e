"""Helpers for browser tests: sign in through the real form, and check a page with axe."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from auditloop.testing import PASSWORD

# WCAG 2.2 at level AA, and the 2.0 and 2.1 rules it includes.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

AXE_SECONDS = 60

# axe.run's promise is started without awaiting it, then waited for with a timeout that the
# Playwright driver enforces: a page whose timers stall fails the test instead of hanging it.
_AXE_START = """options => {
    window.__auditloopAxe = undefined;
    axe.run(document, options).then(
        results => { window.__auditloopAxe = {results: results}; },
        error => { window.__auditloopAxe = {error: String(error)}; },
    );
}"""


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form, as a person would."""
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def _describe(violation: dict[str, Any]) -> str:
    lines = [
        f"{violation['id']} ({violation.get('impact') or 'no impact given'}): "
        f"{violation['help']} <{violation['helpUrl']}>"
    ]
    for node in violation["nodes"]:
        target = ", ".join(str(t) for t in node["target"])
        lines.append(f"    at {target}: {node['html'][:200]}")
        summary = node.get("failureSummary")
        if summary:
            lines.extend("      " + line.strip() for line in summary.splitlines() if line.strip())
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail, listing each violation, unless axe finds the page meets WCAG 2.2 AA."""
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    page.bring_to_front()
    page.evaluate(AXE_SCRIPT)
    page.evaluate(_AXE_START, options)
    try:
        page.wait_for_function(
            "() => window.__auditloopAxe !== undefined", polling=100, timeout=AXE_SECONDS * 1000
        )
    except PlaywrightError as exc:
        state = page.evaluate("() => document.visibilityState")
        raise AssertionError(
            f"axe did not finish checking {page.url} within {AXE_SECONDS} s (page {state})"
        ) from exc
    outcome: dict[str, Any] = page.evaluate("() => window.__auditloopAxe")
    assert "error" not in outcome, f"axe could not check {page.url}: {outcome['error']}"
    violations: list[dict[str, Any]] = outcome["results"]["violations"]
    assert not violations, (
        f"{len(violations)} accessibility violations on {page.url}:\n"
        + "\n".join(_describe(v) for v in violations)
    )
