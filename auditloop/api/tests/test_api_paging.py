"""Paging parameters the API cannot use are refused with a 422, never a server error."""

from __future__ import annotations

import pytest

from auditloop.core.testing import Personas


@pytest.mark.parametrize("collection", ["audits", "actions"])
def test_a_negative_offset_is_refused_not_a_server_error(p: Personas, collection: str) -> None:
    response = p.client_for(p.moderator).get(f"/api/v1/{collection}?offset=-5")
    assert response.status_code == 422


@pytest.mark.parametrize("collection", ["audits", "actions"])
def test_offset_zero_still_answers(p: Personas, collection: str) -> None:
    response = p.client_for(p.moderator).get(f"/api/v1/{collection}?offset=0&limit=-3")
    assert response.status_code == 200
