"""Pages for sampling, one module per sub-domain as in every layer: `cycles` (a cycle, its pool,
quotas and overview), `draws`, `picks` (cases chosen by hand) and `months` ("Plan this month")."""
