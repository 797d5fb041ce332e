"""Settings for `scripts/benchmark_load.py` only: the product's settings, with a URL conf that
adds the bare baseline view (`benchmark_load_urls`). The product never loads this module (it
lives in `scripts/`, outside the package), so the bare page is never reachable in it.

    gunicorn --pythonpath scripts --env DJANGO_SETTINGS_MODULE=benchmark_load_site config.wsgi
"""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmark_load_urls"
