"""Signing in: with a username and password (a password an administrator set works once, and
password sign-in can be switched off but for break-glass administrators), or through the
council's identity provider with OpenID Connect (single sign-on)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import jwt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import connection, connections, models
from django.db.models import IntegerField, Model, QuerySet
from django.db.models.expressions import Col, RawSQL
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from auditloop.accounts.models import Role, StaffMember, Team, User
from auditloop.accounts.rules.sessions import has_left
from auditloop.accounts.services.logins import one_time_password_spend
from auditloop.accounts.sso import Refusal, SignOnRefused, staff_signing_on
from auditloop.core.models import Notification
from auditloop.core.signin import password_signin_refused

# The attribute of the request on which the sign-on backend leaves a refusal for the page.
SIGN_ON_REFUSED = "auditloop_sign_on_refused"

# Clock difference tolerated between the provider and this server, in seconds.
TOKEN_LEEWAY_SECONDS = 60

# What every page loads with the signed-in login, in its one query: the staff record (the
# access decorators, the leaver check) and its team (whose service an audit lead or senior
# leader oversees, asked on most of their pages).
SIGNED_IN_WITH = ("staff__team",)
# The attribute of the signed-in login that holds its unread notifications' count, asked in the
# same query as the login (the header shows it on every page): read when the request began, so
# a notification sent before it is counted at once.
UNREAD_NOTIFICATIONS = "unread_notifications_count"


def signed_in_logins() -> QuerySet[User]:
    """The query that loads a request's login, as the ORM writes it: its staff record and team
    (`SIGNED_IN_WITH`) and its unread notifications' count (`UNREAD_NOTIFICATIONS`), in one
    statement. `signed_in_login` sends the same statement written once per connection; a test
    holds the two to the same answers."""
    # The statement holds only the models' own table and column names: no value at all.
    unread = RawSQL(_unread_count_sql(), (), output_field=IntegerField())  # noqa: S611
    return User.objects.select_related(*SIGNED_IN_WITH).annotate(**{UNREAD_NOTIFICATIONS: unread})


def signed_in_login(user_id: Any, *, active_only: bool = False) -> User | None:
    """The login of a session, as `signed_in_logins` would load it (the same statement, the
    same objects with their staff record, team and count), or None.

    Every request asks this, so the statement is written once per connection and the rows
    made into models here: building and compiling `signed_in_logins()` for each request was
    two thirds of the query's cost, 10% of a loaded server's CPU (py-spy, large council, 20
    users). A test holds it to the ORM's answer for every kind of login."""
    statement = _login_statement(active_only=active_only)
    params: list[Any] = [User._meta.pk.get_db_prep_value(user_id, connection)]
    if active_only:
        params.append(True)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    return None if row is None else statement.login(row)


@dataclass(frozen=True)
class _Columns:
    """One model's columns in the login's statement, and how each value is read."""

    model: type[Model]
    attnames: list[str]
    converters: list[list[tuple[Callable[..., Any], Col]]]

    def instance(self, values: Sequence[Any]) -> Model | None:
        read = [
            _converted(value, converters)
            for value, converters in zip(values, self.converters, strict=True)
        ]
        if read[self.attnames.index(self.model._meta.pk.attname)] is None:
            return None  # no such row for the outer join
        return self.model.from_db(connection.alias, self.attnames, read)


def _converted(value: Any, converters: list[tuple[Callable[..., Any], Col]]) -> Any:
    for converter, column in converters:
        value = converter(value, column, connection)
    return value


@dataclass(frozen=True)
class _LoginStatement:
    sql: str
    columns: tuple[_Columns, _Columns, _Columns]  # the login, its staff record, their team

    def login(self, row: Sequence[Any]) -> User:
        values: list[Model | None] = []
        start = 0
        for columns in self.columns:
            end = start + len(columns.attnames)
            values.append(columns.instance(row[start:end]))
            start = end
        user, staff, team = cast(User, values[0]), values[1], values[2]
        # As select_related("staff__team") leaves them: each side of the one-to-one holds the
        # other (or no staff record), the staff record holds its team (or none).
        staff_login = cast(models.OneToOneField[User], StaffMember._meta.get_field("user"))
        staff_team = cast(models.ForeignKey[Team], StaffMember._meta.get_field("team"))
        staff_login.remote_field.set_cached_value(user, staff)
        if staff is not None:
            staff_login.set_cached_value(staff, user)
            staff_team.set_cached_value(staff, team)
        setattr(user, UNREAD_NOTIFICATIONS, row[start])
        return user


def _login_statement(*, active_only: bool) -> _LoginStatement:
    """The statement `signed_in_login` sends, written once for each connection (its quoting
    and its converters are the connection's own)."""
    # On the thread's own connection, not on `connection`, the proxy every thread shares.
    kept: dict[bool, _LoginStatement] = connections[connection.alias].__dict__.setdefault(
        "auditloop_login_statements", {}
    )
    if active_only not in kept:
        kept[active_only] = _login_statement_written(active_only=active_only)
    return kept[active_only]


def _login_statement_written(*, active_only: bool) -> _LoginStatement:
    quote = connection.ops.quote_name
    models_read: tuple[type[Model], ...] = (User, StaffMember, Team)
    tables = {model: quote(model._meta.db_table) for model in models_read}
    select: list[str] = []
    columns: list[_Columns] = []
    for model, table in tables.items():
        fields = list(model._meta.concrete_fields)
        select += [f"{table}.{quote(str(field.column))}" for field in fields]
        converters = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            converters.append(
                [
                    (converter, col)
                    for converter in [
                        *connection.ops.get_db_converters(col),
                        *col.get_db_converters(connection),
                    ]
                ]
            )
        columns.append(_Columns(model, [field.attname for field in fields], converters))

    def column(model: type[Model], name: str) -> str:
        field = cast(models.Field[Any, Any], model._meta.get_field(name))
        return f"{tables[model]}.{quote(str(field.column))}"

    sql = (
        f"SELECT {', '.join(select)}, ({_unread_count_sql()}) "  # noqa: S608
        f"FROM {tables[User]} "
        f"LEFT OUTER JOIN {tables[StaffMember]} "
        f"ON {column(StaffMember, 'user')} = {column(User, 'id')} "
        f"LEFT OUTER JOIN {tables[Team]} ON {column(Team, 'id')} = {column(StaffMember, 'team')} "
        f"WHERE {column(User, 'id')} = %s"
    )
    if active_only:
        sql += f" AND {column(User, 'is_active')} = %s"
    return _LoginStatement(sql=sql, columns=(columns[0], columns[1], columns[2]))


def _unread_count_sql() -> str:
    # Written out rather than a Subquery of the ORM's: compiling that took longer than the
    # query it saved (0.5 ms of every page on SQLite); this costs nothing to compile.
    quote = connection.ops.quote_name
    notification, login = Notification._meta, User._meta
    table = quote(notification.db_table)
    recipient = quote(str(notification.get_field("recipient").column))
    read_at = quote(str(notification.get_field("read_at").column))
    return (
        f"SELECT COUNT(*) FROM {table} WHERE {table}.{recipient} = "  # noqa: S608
        f"{quote(login.db_table)}.{quote(str(login.pk.column))} AND {table}.{read_at} IS NULL"
    )


def _break_glass_administrator(user: User) -> bool:
    staff = getattr(user, "staff", None)
    return isinstance(staff, StaffMember) and staff.is_active and staff.role == Role.ADMINISTRATOR


class OneTimePasswordBackend(ModelBackend):
    """Django's own check of the password; then a one-time password (a new login's, or one
    set by a reset) is used up, and a second sign-in with it fails like a wrong password.
    With password sign-in switched off, only a break-glass administrator gets this far."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if password_signin_refused(username):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if not isinstance(user, User):
            return None
        if not settings.AUDITLOOP_PASSWORD_SIGNIN and not _break_glass_administrator(user):
            return None
        if user.password_change_required and not one_time_password_spend(user=user):
            return None
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        """Django's rule (an active login), and not someone whose end date on the staff list
        has come, even before `auditloop leavers` closes their login."""
        if not super().user_can_authenticate(user):
            return False
        staff = getattr(user, "staff", None)
        return not (
            isinstance(staff, StaffMember) and has_left(staff.end_date, timezone.localdate())
        )

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in login of a request, with its staff record, team and unread
        notifications' count in the same query (`signed_in_login`)."""
        user = signed_in_login(user_id)
        if user is None or not user.is_active:
            return None
        return user


class StaffSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's authorization code flow, answering only the sign-on callback
    (which passes the nonce it kept), with the ID token checked in full: its RS256 signature
    against the provider's published keys, the issuer, the audience (this client), expiry and
    time of issue, and the nonce. The person is the member of staff the staff list says owns
    the token's email address (`auditloop.accounts.sso`); nobody is created."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not settings.AUDITLOOP_SSO_ENABLED or request is None or "nonce" not in kwargs:
            return None  # a password sign-in, or single sign-on switched off
        user = super().authenticate(request, **kwargs)
        return user if isinstance(user, User) else None

    def get_user(self, user_id: Any) -> User | None:
        """The session's login, while it is active (the library's would keep a deactivated
        login signed in until the session ends; Django's own backend does not), with its staff
        record, team and unread notifications' count in the same query, as the password backend
        loads it (`signed_in_login`)."""
        return signed_in_login(user_id, active_only=True)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The library leaves out the audience and the issuer: PyJWT checks them all here."""
        try:
            header = jwt.get_unverified_header(payload)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.AUDITLOOP_OIDC_ISSUER,
                leeway=TOKEN_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The ID token was refused ({type(exc).__name__}).") from exc
        audience = claims["aud"]
        # A token for several clients must say it was issued to this one.
        if (
            isinstance(audience, list)
            and len(audience) > 1
            and claims.get("azp") != self.OIDC_RP_CLIENT_ID
        ):
            raise SuspiciousOperation("The ID token was issued to another client.")
        return claims

    def retrieve_matching_jwk(self, token: Any) -> Any:
        try:
            return super().retrieve_matching_jwk(token)
        except (jwt.PyJWTError, KeyError) as exc:
            raise SuspiciousOperation("The ID token names no key of the provider's.") from exc

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """The login the token's email belongs to. The email comes from the verified ID token,
        or, where the provider leaves it out (Entra ID without the optional claim), from the
        userinfo endpoint for the same subject."""
        claims = dict(payload)
        if not claims.get("email"):
            info = self.get_userinfo(access_token, id_token, payload)
            if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is for another subject.")
            claims = {**info, **payload, "email": info.get("email")}
        email = str(claims.get("email") or "").strip()
        refusal: SignOnRefused | None = None
        user: User | None = None
        if email and claims.get("email_verified") is False:
            refusal = SignOnRefused(Refusal.UNVERIFIED_EMAIL, email, email)
        elif (
            email
            and settings.AUDITLOOP_OIDC_HOSTED_DOMAIN
            and (claims.get("hd") != settings.AUDITLOOP_OIDC_HOSTED_DOMAIN)
        ):
            refusal = SignOnRefused(Refusal.OTHER_DOMAIN, email, email)
        else:
            user, refusal = staff_signing_on(email)
        if refusal is not None or user is None:
            setattr(self.request, SIGN_ON_REFUSED, refusal)
            return None
        user.sso_amr = claims.get("amr")  # type: ignore[attr-defined]  # see signin_state
        return user
