"""Static files as `auditloop serve` collects them: hashed names, compressed once, served by
whitenoise with a year's caching."""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Hashed names, and a gzip copy of each text file beside it. No brotli: at its best
    quality it took more than half a minute of processor time on the API documentation's
    bundles, at every start of `auditloop serve`, for a few kilobytes on two pages."""

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=False, **kwargs)
