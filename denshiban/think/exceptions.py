"""Refusals of Think! actions. Each carries the Japanese message and the HTTP status to answer."""

from __future__ import annotations


class ThinkError(Exception):
    status = 400

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class CommentInvalid(ThinkError):
    """What the expert typed breaks a rule; `errors` names each field's problem."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), status=400)
        self.errors = errors


class NotAllowed(ThinkError):
    status = 403


class CommentNotFound(ThinkError):
    status = 404


class EditWindowClosed(ThinkError):
    status = 403


class RateLimited(ThinkError):
    status = 429
