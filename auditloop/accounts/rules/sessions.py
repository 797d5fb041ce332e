"""Pure decisions about signed-in sessions: what is kept of a session key, how a browser is
described to its owner, and when a member of staff on the staff list has left."""

from __future__ import annotations

import datetime
import hashlib

# Most specific first: Edge and Opera say "Chrome" too, and Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def session_key_digest(session_key: str) -> str:
    """What is kept of a session key: its SHA-256, never the key, which signs in."""
    return hashlib.sha256(session_key.encode()).hexdigest()


def browser_described(user_agent: str) -> str:
    """A short description of a browser for its owner to recognise ("Firefox on Windows"),
    from its User-Agent header; "Unknown browser" when it names none we know."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "Unknown browser"


def has_left(end_date: datetime.date | None, today: datetime.date) -> bool:
    """Whether someone whose end date on the staff list is `end_date` has left by `today`:
    their last day is the day before it, as the staff list import counts it (active while
    the end date is after today)."""
    return end_date is not None and end_date <= today
