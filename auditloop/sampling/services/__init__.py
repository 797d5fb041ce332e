"""Every write in sampling, one module per sub-domain as in each layer: `cycles` (a cycle, its
pool and quotas), `draws` (a sample drawn and its audits shared out), `picks` (cases chosen by
hand), `months` ("Plan this month") and `reminders`."""
