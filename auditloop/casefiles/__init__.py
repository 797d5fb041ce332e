"""The case files' pages: the case list, a case file with its audits, and an administrator's
create, change and close (URLs /cases/..., names cases:...).

The records themselves (models, services, the lists' selectors, forms) are `auditloop.cases`.
Who may open a case file depends on its audits too, so these pages and that rule sit here,
above both `cases` and `audits`, and the layers point one way.
"""
