"""One error path and one shape: {"error": message} or {"errors": {field: [messages]}}."""

import logging

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, current_app, g
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ErrorBody(ma.Schema):
    """Every error's body: one message, or messages by field (documents the contract)."""

    error = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class DomainError(Exception):
    """A request the domain refuses, with the HTTP status that says so."""

    code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not see it."""

    code = 404


class Conflict(DomainError):
    """The request collides with the current state, e.g. another moderator acted first."""

    code = 409


class Forbidden(DomainError):
    """The request is understood but not allowed, e.g. comments are closed on the post."""

    code = 403


class TooManyRequests(DomainError):
    """A limit was reached; the client may retry after the given number of seconds."""

    code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class Invalid(DomainError):
    """A field is well-formed but refers to something that does not fit."""

    code = 422


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages to {"field.path": [messages]}."""
    if isinstance(messages, list | str):
        return {prefix or "_schema": messages if isinstance(messages, list) else [messages]}
    flat = {}
    for key, value in messages.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def error_body(message: str, fields=None) -> dict:
    """The JSON body of an error: field errors when there are any, else one message."""
    if isinstance(fields, list):  # e.g. webargs' "Invalid JSON body."
        return {"error": " ".join(fields)}
    if fields:
        return {"errors": flatten(fields)}
    return {"error": message}


def handle_http_exception(error: HTTPException):
    """Shape any HTTP error, including webargs' validation errors, as the contract says."""
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in _LOCATIONS:
        messages = next(iter(messages.values()))  # webargs nests errors under "json"/"query"
    if error.code >= 500:
        _rollback()
    message = data.get("message") or error.description
    return error_body(message, messages), error.code, data.get("headers", {})


_LOCATIONS = {"json", "query", "view_args", "headers"}


def handle_domain_error(error: DomainError):
    """Answer a refused domain request with its status and message."""
    fields = {error.field: [error.message]} if error.field else None
    return error_body(error.message, fields), error.code, getattr(error, "headers", {})


def handle_storage_error(error: sa.exc.SQLAlchemyError):
    """Answer 503 with Retry-After when the database cannot be reached or is read-only."""
    record_storage_failure(error)
    headers = {"Retry-After": str(current_app.config["RETRY_AFTER_SECONDS"])}
    return {"error": "storage is unavailable, try again later"}, 503, headers


# PostgreSQL's "read-only SQL transaction" (a hot standby, default_transaction_read_only):
# the database answers but refuses writes, which is storage unavailable all the same.
READ_ONLY_SQLSTATE = "25006"


def handle_refused_write(error: sa.exc.InternalError):
    """Answer a write refused by a read-only database like storage down; anything else is a 500."""
    if getattr(error.orig, "sqlstate", None) != READ_ONLY_SQLSTATE:
        raise error
    return handle_storage_error(error)


def record_storage_failure(error: sa.exc.SQLAlchemyError) -> None:
    """Roll the request's session back and log why storage failed (never its parameters)."""
    _rollback()
    log.error("storage unavailable: %s", error)


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def init_app(app: Flask) -> None:
    """Register the handlers; flask-smorest's own HTTP handler is replaced by ours."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa.exc.OperationalError, handle_storage_error)
    app.register_error_handler(sa.exc.InterfaceError, handle_storage_error)
    app.register_error_handler(sa.exc.InternalError, handle_refused_write)
