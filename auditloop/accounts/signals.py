"""Signals the apps above `accounts` receive, so that accounts never imports them.

`access_ending` is sent when every way a login signs in is being ended (an administrator's
"End all sessions and tokens", a leaver on their end date): the API app revokes the login's
tokens. It is sent with `user` (the login) and `at` (the moment), inside the caller's
transaction; each receiver returns how many credentials it ended, for the one event the
caller writes. A receiver that fails fails the whole change: `send`, not `send_robust`."""

from __future__ import annotations

from django.dispatch import Signal

access_ending = Signal()
