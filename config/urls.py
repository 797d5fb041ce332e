from __future__ import annotations

from django.urls import include, path

from auditloop.api.urls import api_urls, token_urlpatterns

urlpatterns = [
    path("", include("auditloop.home.urls")),
    path("", include("auditloop.core.urls")),
    path("sign-in/sso/", include("auditloop.accounts.views.sso")),
    path("administration/", include("auditloop.accounts.urls")),
    path("account/second-factor/", include("auditloop.accounts.urls_second_factor")),
    path("account/sessions/", include("auditloop.accounts.urls_sessions")),
    path("cases/", include("auditloop.casefiles.urls")),
    path("audits/", include("auditloop.audits.urls")),
    # The online family form: no sign-in (auditloop.audits.views.family_form).
    path("your-view/", include("auditloop.audits.views.family_form")),
    path("imports/", include("auditloop.imports.urls")),
    path("sampling/", include("auditloop.sampling.urls")),
    path("", include("auditloop.assurance.urls")),
    path("", include("auditloop.learning.urls")),
    path("", include("auditloop.reports.urls")),
    path("data-protection/", include("auditloop.privacy.urls")),
    path("api/v1/", api_urls),
    path("api-tokens/", include(token_urlpatterns)),
]
