"""`make mutation`: mutation testing of the pure modules with mutmut, and a score per module.

mutmut (configured in pyproject.toml) copies the project into mutants/, makes one small change
at a time to the modules below and runs the tests that reach the changed function. A mutant
the tests do not notice "survives": either a test is missing, or the change makes no
difference to any caller (an equivalent mutant). The equivalent ones are listed here with the
reason, matched by the line they change, so this script fails only for a survivor nobody has
explained. It takes about twenty minutes on two cores, so it is not part of CI.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

BIN = Path(sys.executable).parent
MUTMUT = str(BIN / "mutmut")

# Module label -> the mutant names mutmut runs for it. services/audits.py and actions.py hold
# much besides their status machines; only the transition functions are mutated.
MODULES: dict[str, list[str]] = {
    "sampling/rules/statistics.py": ["auditloop.sampling.rules.statistics.*"],
    "imports/values.py": ["auditloop.imports.values.*"],
    "accounts/access.py": ["auditloop.accounts.access.*"],
    "audit and action status transitions": [
        "auditloop.audits.services.audits.x__refuse_unless_allowed__mutmut_*",
        "auditloop.audits.services.audits.x__audit_transition__mutmut_*",
        "auditloop.audits.rules.x_status_words__mutmut_*",
        "auditloop.audits.rules.x_action_move_problem__mutmut_*",
        "auditloop.audits.services.actions.x_action_move_check__mutmut_*",
    ],
    "action sign-off and the actions a submission needs": [
        "auditloop.audits.rules.x_may_sign_off__mutmut_*",
        "auditloop.audits.rules.x_needs_action__mutmut_*",
    ],
}


@dataclass(frozen=True)
class Equivalent:
    function: str  # the mutant name's function part, e.g. "x_text"
    removed: str  # the original line, stripped
    added: str  # the mutated line, stripped
    reason: str


EQUIVALENT = [
    Equivalent(
        "x_text",
        'out = _WHITESPACE.sub(" ", out.replace("\\xa0", " ")).strip()',
        'out = _WHITESPACE.sub(" ", out.replace("XX\\xa0XX", " ")).strip()',
        "_WHITESPACE is \\s+, which matches a non-breaking space itself; the replace is a "
        "belt to its braces",
    ),
    Equivalent(
        "x_text",
        'out = _WHITESPACE.sub(" ", str(value).replace("\\xa0", " ")).strip()',
        'out = _WHITESPACE.sub(" ", str(value).replace("XX\\xa0XX", " ")).strip()',
        "as above, for cells that are not text",
    ),
    Equivalent(
        "x_text",
        "if len(out) <= 5 and out.casefold() in PLACEHOLDERS:",
        "if len(out) <= 6 and out.casefold() in PLACEHOLDERS:",
        "the longest placeholder has five characters; the length test only skips the set lookup",
    ),
    Equivalent(
        "x_normalise_name",
        'return "" if len(name) <= 5 and name in PLACEHOLDERS else name',
        'return "" if len(name) <= 6 and name in PLACEHOLDERS else name',
        "as above: no placeholder has six characters",
    ),
    Equivalent(
        "x_parse_picklist",
        'code = re.split(r"\\s*[:]\\s*|\\s+-\\s+", key, maxsplit=1)[0]',
        'code = re.split(r"\\s*[:]\\s*|\\s+-\\s+", key, )[0]',
        "only the part before the first separator is used, however many splits follow",
    ),
    Equivalent(
        "x_parse_picklist",
        'code = re.split(r"\\s*[:]\\s*|\\s+-\\s+", key, maxsplit=1)[0]',
        'code = re.split(r"\\s*[:]\\s*|\\s+-\\s+", key, maxsplit=2)[0]',
        "as above",
    ),
    Equivalent(
        "x_allocate_equal",
        "low, high = 0, max(strata.values(), default=0)",
        "low, high = 0, max(strata.values(), default=1)",
        "the default is used only when there are no strata, and then the answer is {} whatever "
        "level the search settles on",
    ),
    Equivalent(
        "x_allocate_equal",
        "level = (low + high + 1) // 2",
        "level = (low + high + 2) // 2",
        "for low < high this midpoint is still above low and at most high, so the bisection "
        "converges to the same level",
    ),
    Equivalent(
        "x_allocate_equal",
        "if sum(min(n, level) for n in strata.values()) <= total:",
        "if sum(min(n, level) for n in strata.values()) < total:",
        "where a level uses the total exactly, the search stops one level lower and the "
        "leftover then gives every stratum above that level one more case: the same answer",
    ),
    Equivalent(
        "x_staff_for",
        'staff = getattr(user, "staff", None) if user.is_authenticated else None',
        'staff = getattr(user, "staff", None) if (user.is_authenticated) or True else None',
        "an anonymous user has no staff attribute, so getattr gives None and the login is "
        "refused either way; the test only spares a lookup",
    ),
    Equivalent(
        "x_draw_cases",
        "if wanted <= 0:",
        "if wanted < 0:",
        "random.sample(pool, 0) draws no random number and returns [], and 0 > len(pool) is "
        "never true, so a stratum allocated nothing changes nothing either way",
    ),
]

MUTANT = re.compile(r"^\s*(?P<name>\S+?):\s*(?P<status>[a-z ]+?)\s*$")


def mutmut(*args: str) -> str:
    done = subprocess.run([MUTMUT, *args], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode})")
    return done.stdout


def changed_lines(name: str) -> tuple[str, str]:
    """The line a mutant removes and the line it puts in its place, stripped."""
    diff = mutmut("show", name).splitlines()
    removed = [line[1:].strip() for line in diff if line.startswith("-") and line[1:2] != "-"]
    added = [line[1:].strip() for line in diff if line.startswith("+") and line[1:2] != "+"]
    return " ".join(removed), " ".join(added)


def why_equivalent(name: str) -> str | None:
    function = name.rsplit(".", 1)[1].split("__mutmut_")[0]
    removed, added = changed_lines(name)
    for known in EQUIVALENT:
        if (known.function, known.removed, known.added) == (function, removed, added):
            return known.reason
    return None


def module_of(name: str) -> str | None:
    for label, patterns in MODULES.items():
        if any(fnmatch(name, pattern) for pattern in patterns):
            return label
    return None


def main() -> int:
    patterns = [pattern for patterns in MODULES.values() for pattern in patterns]
    run = subprocess.run([MUTMUT, "run", *patterns], check=False)  # noqa: S603
    if run.returncode != 0:
        return run.returncode
    results: dict[str, dict[str, str]] = {label: {} for label in MODULES}
    for line in mutmut("results", "--all", "true").splitlines():
        found = MUTANT.match(line)
        if found and (label := module_of(found["name"])):
            results[label][found["name"]] = found["status"]
    unexplained = 0
    print("\nMutation score per module (killed, or timed out in an endless loop, of all run):")
    for label, statuses in results.items():
        caught = sum(1 for s in statuses.values() if s in {"killed", "timeout"})
        survivors = sorted(n for n, s in statuses.items() if s not in {"killed", "timeout"})
        equivalent = {n: why_equivalent(n) for n in survivors}
        explained = sum(1 for reason in equivalent.values() if reason)
        total = len(statuses)
        score = 100 * caught / total if total else 0.0
        print(
            f"  {label}: {caught} of {total} caught ({score:.1f}%), "
            f"{explained} equivalent, {len(survivors) - explained} unexplained"
        )
        for name in survivors:
            reason = equivalent[name]
            status = statuses[name]
            if reason:
                print(f"    {name} ({status}), equivalent: {reason}")
            else:
                unexplained += 1
                removed, added = changed_lines(name)
                print(f"    {name} ({status}) NOT CAUGHT:\n      - {removed}\n      + {added}")
    if unexplained:
        print(f"\n{unexplained} mutants survived that no test kills and nobody has explained.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
