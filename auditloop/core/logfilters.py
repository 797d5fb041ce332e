"""What reaches the console log.

A refused request (403, 404, 429 after a sign-in lockout, 400 for a suspicious request) is
routine: one line naming the status and the path is all an operator needs. Django logs a
PermissionDenied or a SuspiciousOperation with its traceback, whose last line repeats the
exception's message; on the console the traceback is dropped for 4xx answers. Server errors
(5xx) keep their traceback. The path carries opaque ids only, never a child's ID.
"""

from __future__ import annotations

import copy
import logging


class RefusalsInOneLine(logging.Filter):
    """One line for a refused request: the record without its traceback, for this handler only."""

    def filter(self, record: logging.LogRecord) -> bool | logging.LogRecord:
        status = getattr(record, "status_code", None)
        if not record.exc_info or not isinstance(status, int) or not 400 <= status < 500:
            return True
        quiet = copy.copy(record)
        quiet.exc_info = None
        quiet.exc_text = None
        return quiet
