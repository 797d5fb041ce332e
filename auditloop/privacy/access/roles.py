"""Who may use the data protection pages, by role. Each page's own decision (its decorator)
names the roles from here; the navigation shows "Data protection" to any of them."""

from __future__ import annotations

from auditloop.accounts.models import Role

# Who has read a child's records, and unusual reading: the audit lead and the DPO.
ACCESS_REVIEW_ROLES = (Role.MODERATOR, Role.DATA_PROTECTION)
# Subject access requests and the retention schedule: an administrator and the DPO.
SUBJECT_ACCESS_ROLES = (Role.ADMINISTRATOR, Role.DATA_PROTECTION)
RETENTION_ROLES = (Role.ADMINISTRATOR, Role.DATA_PROTECTION)

PRIVACY_ROLES = frozenset({*ACCESS_REVIEW_ROLES, *SUBJECT_ACCESS_ROLES, *RETENTION_ROLES})
