"""The users of `scripts/benchmark_load.py` (locust, headless); not run on its own.

BENCHMARK_LOAD_PLAN names a JSON file the benchmark writes: the signed-in sessions (a cookie
per session, each a demo login of one role, signed in through the sign-in page before the
load starts, so no password hashing falls inside the measured minutes) and the pages each
may browse (its home page, lists, audits and dashboard, found from its own menu and audits
list). BENCHMARK_LOAD_TARGET is `signed-in` (each user takes the next session and browses
its pages, one after another without pause), `bare` (each user asks for the bare page) or
`floor` (each user takes the next session and asks for the signed-in floor).
Every response must be a 200 with the page's own content: a redirect to the sign-in page is
an error, not a fast page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCHMARK_LOAD_PLAN"]).read_text())
TARGET = os.environ["BENCHMARK_LOAD_TARGET"]
_sessions = itertools.cycle(PLAN["sessions"])


class Visitor(FastHttpUser):
    wait_time = constant(0)
    # One connection per user, as a browser tab keeps one open.
    concurrency = 1

    def on_start(self) -> None:
        self.pages: list[dict[str, Any]] = []
        if TARGET in ("signed-in", "floor"):
            session = next(_sessions)
            self.pages = session["pages"]
            self.cookies = {"Cookie": f"{PLAN['cookie_name']}={session['cookie']}"}
            self.login = session["login"]

    @task
    def browse(self) -> None:
        if TARGET == "bare":
            self._get(PLAN["bare"], "bare page", "Bare page")
            return
        if TARGET == "floor":
            self._get(PLAN["floor"], f"{self.login}: floor", "Signed-in floor")
            return
        # A kind of page (home, a list, an audit, the dashboard), then one of that kind.
        page = random.choice(self.pages)
        url = random.choice(page["urls"])
        self._get(url, f"{self.login}: {page['kind']}", PLAN["signed_in_mark"])

    def _get(self, url: str, name: str, expect: str) -> None:
        headers = getattr(self, "cookies", {})
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect not in (response.text or ""):
                response.failure(f"no {expect!r} on the page")
