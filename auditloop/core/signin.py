"""Signing in: whose address a request comes from, how failed sign-ins are throttled, and the
time a session began (the session middleware ends it `AUDITLOOP_SESSION_MAX_SECONDS` later).

The throttle is django-axes' database handler with three rules instead of one, each counted
over axes' cool-off window (the failures of a username and address pair expire together,
30 minutes after the latest):

- a username from one address: locked at `AXES_FAILURE_LIMIT`, always;
- a username from every address: locked at `AUDITLOOP_LOGIN_ACCOUNT_FAILURE_LIMIT`;
- an address, whatever the usernames: locked at `AUDITLOOP_LOGIN_ADDRESS_FAILURE_LIMIT`.

The last two spare an address the account signed in from successfully in the last
`AUDITLOOP_LOGIN_KNOWN_ADDRESS_DAYS` days (axes keeps a record of each sign-in): one person
trying many accounts from an office's shared address locks out no one who works there, and
someone guessing from elsewhere cannot lock a member of staff out of their own office; there
the first rule still holds. A successful sign-in clears the account's failures.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils import timezone

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network
type Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Keys in the session: when its user signed in, and when its idle expiry was last renewed
# (seconds since the epoch).
SIGNED_IN_AT = "auditloop_signed_in_at"
RENEWED_AT = "auditloop_renewed_at"


def _address(value: str) -> Address | None:
    """An address as a proxy writes it: bare, or with a port (`1.2.3.4:80`, `[::1]:80`)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == proxy.version and address in proxy for proxy in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from. X-Forwarded-For is believed only as far as it was
    written by `AUDITLOOP_TRUSTED_PROXIES`: read from the right (the nearest hop), the first
    address that is not a trusted proxy is the client's. Without trusted proxies, or from an
    address that is not one, the header is ignored: anyone can send it."""
    remote = request.META.get("REMOTE_ADDR", "")
    address = _address(remote)
    if address is None:
        return remote or None
    proxies: Sequence[Network] = settings.AUDITLOOP_TRUSTED_PROXIES
    if not _trusted(address, proxies):
        return str(address)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        hop_address = _address(hop)
        if hop_address is None:
            break  # a trusted proxy wrote nonsense: believe nothing further left
        address = hop_address
        if not _trusted(address, proxies):
            break
    return str(address)


def failure_counts(
    *, username: str | None, ip_address: str | None, since: datetime.datetime
) -> tuple[int, int, int]:
    """Failed sign-ins since `since`: of the username from this address, of the username from
    every address, and from this address whatever the username. One query."""
    counts = AccessAttempt.objects.filter(attempt_time__gte=since).aggregate(
        pair=Sum(
            "failures_since_start", filter=Q(username=username, ip_address=ip_address), default=0
        ),
        account=Sum("failures_since_start", filter=Q(username=username), default=0),
        address=Sum("failures_since_start", filter=Q(ip_address=ip_address), default=0),
    )
    return counts["pair"], counts["account"], counts["address"]


def signed_in_from(*, username: str | None, ip_address: str | None) -> bool:
    """Whether this account signed in successfully from this address lately."""
    if not username or not ip_address:
        return False
    since = timezone.now() - datetime.timedelta(days=settings.AUDITLOOP_LOGIN_KNOWN_ADDRESS_DAYS)
    return bool(
        AccessLog.objects.filter(
            username=username, ip_address=ip_address, attempt_time__gte=since
        ).exists()
    )


def throttled(counts: tuple[int, int, int], *, username: str | None, ip_address: str | None) -> str:
    """Which rule refuses a sign-in, given `failure_counts`: "pair", "account", "address",
    or "" for none."""
    pair, account, address = counts
    if pair >= settings.AXES_FAILURE_LIMIT:
        return "pair"
    over = (
        "account"
        if account >= settings.AUDITLOOP_LOGIN_ACCOUNT_FAILURE_LIMIT
        else "address"
        if address >= settings.AUDITLOOP_LOGIN_ADDRESS_FAILURE_LIMIT
        else ""
    )
    if over and signed_in_from(username=username, ip_address=ip_address):
        return ""
    return over


class SignInThrottle(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler (its records and its lockout response kept), deciding with the
    three rules above, and clearing only the account's failures on a successful sign-in."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # axes locks out when this reaches AXES_FAILURE_LIMIT: report that when any rule
        # refuses, and the pair's own count below it otherwise.
        username = get_client_username(request, credentials)
        ip_address = request.axes_ip_address
        counts = failure_counts(
            username=username, ip_address=ip_address, since=get_cool_off_threshold(request)
        )
        limit = int(get_failure_limit(request, credentials))
        if throttled(counts, username=username, ip_address=ip_address):
            return limit
        return min(counts[0], limit - 1)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        # Only the account's: the address's failures against other accounts stand.
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)


def session_start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Receives `user_logged_in`: the session's absolute lifetime runs from now."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[RENEWED_AT] = now


def password_signin_refused(username: str | None) -> bool:
    """Whether a password sign-in as this username is refused before its password is even
    checked: password sign-in is switched off (`AUDITLOOP_PASSWORD_SIGNIN`) and the username
    is not one of the break-glass administrators'. The backend checks the role as well."""
    if settings.AUDITLOOP_PASSWORD_SIGNIN:
        return False
    return username not in settings.AUDITLOOP_PASSWORD_SIGNIN_BREAK_GLASS
