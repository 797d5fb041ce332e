from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditloop.accounts.tests.oidc_provider import LocalProvider, local_provider


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[LocalProvider]:
    """A real OpenID Connect provider on a free local port, for the whole run."""
    with pytest.MonkeyPatch.context() as patch:
        # authlib serves plain HTTP only when told to: the provider is on this machine.
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
        with local_provider() as provider:
            yield provider


@pytest.fixture
def sso(settings: Any, oidc_provider: LocalProvider) -> LocalProvider:
    """Single sign-on set up against the local provider."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider
