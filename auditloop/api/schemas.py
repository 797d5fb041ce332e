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


# 400: a parameter out of range or of the wrong kind; 401: no working token; 403: the role
# does not give this (as its page would not).
REFUSALS: dict[int, type[Schema]] = {400: BadRequestOut, 401: ErrorOut, 403: ErrorOut}
# And 404: no such object, or one the caller may not see.
REFUSALS_OR_NOT_FOUND: dict[int, type[Schema]] = {**REFUSALS, 404: ErrorOut}
