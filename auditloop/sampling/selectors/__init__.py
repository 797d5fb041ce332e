"""Every read in sampling, scoped to the person asking: `cycles` (and the overview), `draws`,
`picks` and `months`, named as in every layer."""
