"""Administration pages, one module per sub-domain (named as in `accounts/services/`):
`organisation`, `staff`, `logins`, `access_requests`, `logs`; `common` holds what they share
and the administration home page. Only administrators, except the page where anyone changes
their own password and the role changes, which senior leaders decide too."""
