"""Forms for sampling, one module per sub-domain as in every layer: `cycles`, `draws`, `picks`
and `months`. They check input; the services decide."""
