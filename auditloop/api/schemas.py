"""The answers every endpoint may give instead of its own: a refusal, in words."""

from __future__ import annotations

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="Why the call was refused, in words.")


class ParameterProblem(Schema):
    parameter: str = Field(description="The parameter refused.")
    message: str = Field(description="What it must be, and what was sent.")


class BadRequestOut(ErrorOut):
    errors: list[ParameterProblem] = Field(description="Each parameter refused, and why.")


# Every endpoint: 401, no working token; 403, the role does not give this (as its page would
# not), or the login is no active member of staff.
SIGNED_IN: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut}
# And, where it takes parameters, 400: one out of range or of the wrong kind.
REFUSALS: dict[int, type[Schema]] = {400: BadRequestOut, **SIGNED_IN}
# And 404: no such object, or one the caller may not see.
REFUSALS_OR_NOT_FOUND: dict[int, type[Schema]] = {**REFUSALS, 404: ErrorOut}
