"""Writes of passkeys (WebAuthn, with the `webauthn` package): register one, check one as
someone signs in, remove one. The browser's side is auditloop/accounts/static/auditloop/
passkeys.js; the page carries the options, the form posts back what the browser made."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from auditloop.accounts.models import Passkey, User
from auditloop.accounts.services.second_factor import event_target
from auditloop.core.events import event_record

NEEDS_JAVASCRIPT = (
    "Your browser did not send a passkey. Passkeys need JavaScript and a browser that "
    "supports them; you can use your authenticator app instead."
)


@dataclass(frozen=True)
class Relying:
    """The site as the browser sees it: the passkey is bound to this host name and origin."""

    rp_id: str
    origin: str
    name: str


@dataclass(frozen=True)
class Ceremony:
    options_json: str
    challenge: str  # base64url, kept in the session until the form comes back


def passkey_registration_options(*, user: User, site: Relying) -> Ceremony:
    options = generate_registration_options(
        rp_id=site.rp_id,
        rp_name=site.name,
        user_id=str(user.pk).encode(),
        user_name=user.username,
        user_display_name=user.get_full_name() or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c))
            for c in Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
        ],
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def passkey_authentication_options(*, user: User, site: Relying) -> Ceremony | None:
    """Options to sign in with one of `user`'s passkeys; None when they have none."""
    ids = list(
        Passkey.objects.filter(user=user, confirmed=True).values_list("credential_id", flat=True)
    )
    if not ids:
        return None
    options = generate_authentication_options(
        rp_id=site.rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in ids],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


@transaction.atomic
def passkey_register(
    *, user: User, name: str, credential: str, challenge: str | None, site: Relying
) -> Passkey:
    """Keep the passkey the browser made for the challenge this session was given."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the passkey, for example 'Work laptop'."})
    if not credential or not challenge:
        raise ValidationError({"name": NEEDS_JAVASCRIPT})
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise ValidationError({"name": "The passkey could not be checked. Try again."}) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise ValidationError({"name": "This passkey is already registered."})
    passkey: Passkey = Passkey.objects.create(
        user=user,
        name=name[:64],
        confirmed=True,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    event_record(
        actor=user,
        verb="second_factor.passkey_added",
        target=event_target(user),
        summary=f"Login {user.username} added a passkey",
        after={"passkey": passkey.name},
    )
    return passkey


@transaction.atomic
def passkey_verify(*, user: User, credential: str, challenge: str | None, site: Relying) -> Passkey:
    """The passkey of `user` that signed this session's challenge."""
    if not credential or not challenge:
        raise ValidationError({"code": NEEDS_JAVASCRIPT})
    refused = ValidationError(
        {"code": "The passkey could not be checked. Try again, or enter a code."}
    )
    try:
        raw_id = str(json.loads(credential)["rawId"])
    except (ValueError, KeyError, TypeError) as exc:
        raise refused from exc
    passkey: Passkey | None = (
        Passkey.objects.select_for_update()
        .filter(user=user, confirmed=True, credential_id=raw_id)
        .first()
    )
    if passkey is None:
        raise refused
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise refused from exc
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


@transaction.atomic
def passkey_remove(*, passkey: Passkey) -> None:
    user = passkey.user
    name = passkey.name
    passkey.delete()
    event_record(
        actor=user,
        verb="second_factor.passkey_removed",
        target=event_target(user),
        summary=f"Login {user.username} removed a passkey",
        after={"passkey": name},
    )
