"""A small exception tree. Bad input is separated from model and store faults; every error
carries a stable ``code`` that is stored with a failed document and shown to the user.

The codes are constants here, and so is the one table that turns them into exit codes at
the command line (and, with the HTTP API, into statuses): edges look codes up, never
spell them.
"""
from __future__ import annotations

# ---------------------------------------------------------------- codes: the file itself
EMPTY_FILE = "empty_file"
UNSUPPORTED_FORMAT = "unsupported_format"
CONTENT_MISMATCH = "content_mismatch"
NEEDS_PASSWORD = "needs_password"
NEEDS_OCR = "needs_ocr"
CORRUPT_FILE = "corrupt_file"
NO_TEXT = "no_text"
UNDECODABLE_TEXT = "undecodable_text"
TOO_LARGE = "too_large"
ZIP_BOMB = "zip_bomb"
PDF_BOMB = "pdf_bomb"
PARSE_TIMEOUT = "parse_timeout"
PARSE_MEMORY = "parse_memory"
PARSE_CRASHED = "parse_crashed"
PARSE_FAILED = "parse_failed"
BAD_INPUT = "bad_input"

# ---------------------------------------------------------------- codes: the model
MODEL_ERROR = "model_error"
OVER_CONTEXT = "over_context"
OUTPUT_TRUNCATED = "output_truncated"
SCHEMA_INVALID = "schema_invalid"

# ---------------------------------------------------------------- codes: running the work
POISON = "poison"
TIMED_OUT = "timed_out"
INTERNAL_ERROR = "internal_error"
UNRECOVERABLE = "unrecoverable"  # the original cannot be read back: its matter key was destroyed

# ---------------------------------------------------------------- codes: the command or request
CONFIG_ERROR = "config_error"
STORE_ERROR = "store_error"
NOT_FOUND = "not_found"
ACCESS_DENIED = "access_denied"
NO_INPUT = "no_input"
NOT_A_FOLDER = "not_a_folder"
BAD_FORMAT = "bad_format"
NOT_FAILED = "not_failed"
BROKER_UNAVAILABLE = "broker_unavailable"
WAIT_TIMEOUT = "wait_timeout"
UNAUTHENTICATED = "unauthenticated"  # no key, a wrong key, an expired session, a revoked user
RATE_LIMITED = "rate_limited"  # too many sign-in attempts
CSRF_FAILED = "csrf_failed"  # a form without its token, or with a forged one
UPLOAD_TOO_LARGE = "upload_too_large"  # past the upload limit (HTTP 413)
BAD_REQUEST = "bad_request"  # a malformed query parameter, filter or body (HTTP 422)
USER_EXISTS = "user_exists"
LEGAL_HOLD = "legal_hold"  # a deletion refused: a legal hold covers the document or matter
BUSY = "busy"  # a deletion refused: the document is being analysed; purge it when it has ended

# A document that fails keeps one of these as its reason (stored, printed, exported).
DOCUMENT_CODES = (
    EMPTY_FILE, UNSUPPORTED_FORMAT, CONTENT_MISMATCH, NEEDS_PASSWORD, NEEDS_OCR, CORRUPT_FILE,
    NO_TEXT, UNDECODABLE_TEXT, TOO_LARGE, ZIP_BOMB, PDF_BOMB, PARSE_TIMEOUT, PARSE_MEMORY,
    PARSE_CRASHED, PARSE_FAILED, BAD_INPUT, MODEL_ERROR, OVER_CONTEXT, OUTPUT_TRUNCATED,
    SCHEMA_INVALID, POISON, TIMED_OUT, INTERNAL_ERROR, UNRECOVERABLE)
# A command (or request) that cannot be carried out stops with one of these.
COMMAND_CODES = (CONFIG_ERROR, STORE_ERROR, NOT_FOUND, ACCESS_DENIED, NO_INPUT, NOT_A_FOLDER, BAD_FORMAT,
                 NOT_FAILED, BROKER_UNAVAILABLE, WAIT_TIMEOUT, UNAUTHENTICATED, RATE_LIMITED, CSRF_FAILED,
                 UPLOAD_TOO_LARGE, BAD_REQUEST, USER_EXISTS, LEGAL_HOLD, BUSY)

# Exit codes of the `docpipe` command: 0 all done (or already there), 1 some document
# failed (each failure is stored with its reason and printed, and the other documents are
# still processed), 2 the command itself could not run.
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
# The one table from an error that stopped a command to its exit status. A document's own
# failure never stops a command: it is counted, and the command exits EXIT_FAILED.
EXIT_CODES: dict[str, int] = {code: EXIT_ERROR for code in COMMAND_CODES}


# The same codes over HTTP (docpipe serve): the status of an application/problem+json answer.
HTTP_STATUS: dict[str, int] = {
    NOT_FOUND: 404, ACCESS_DENIED: 403, CSRF_FAILED: 403, UNAUTHENTICATED: 401, RATE_LIMITED: 429,
    UPLOAD_TOO_LARGE: 413, UNSUPPORTED_FORMAT: 415, CONTENT_MISMATCH: 415, EMPTY_FILE: 422,
    BAD_REQUEST: 422, BAD_FORMAT: 422, NO_INPUT: 422, NOT_FAILED: 409, USER_EXISTS: 409,
    LEGAL_HOLD: 409, BUSY: 409, UNRECOVERABLE: 410,
    STORE_ERROR: 503, BROKER_UNAVAILABLE: 503, CONFIG_ERROR: 500, WAIT_TIMEOUT: 504,
}


def http_status(code: str) -> int:
    """The HTTP status for an error with ``code`` (a document's own code at the door: 422)."""
    return HTTP_STATUS.get(code, 422 if code in DOCUMENT_CODES and code != INTERNAL_ERROR else 500)


def exit_code(code: str) -> int:
    """The exit status for an error with ``code`` that stopped a command (unknown: 2)."""
    return EXIT_CODES.get(code, EXIT_ERROR)


class DocpipeError(Exception):
    code = INTERNAL_ERROR

    def __init__(self, message: str, *, code: str | None = None, **data):
        super().__init__(message)
        if code:
            self.code = code
        self.data = data

    @property
    def message(self) -> str:
        return str(self)


class InputError(DocpipeError):
    """The file itself is the problem. Retrying will not help."""

    code = BAD_INPUT


class EmptyFile(InputError):
    code = EMPTY_FILE


class UnsupportedFormat(InputError):
    code = UNSUPPORTED_FORMAT


class ContentMismatch(InputError):
    """The bytes say one format, the name claims another (e.g. text named .pdf)."""

    code = CONTENT_MISMATCH


class NeedsPassword(InputError):
    code = NEEDS_PASSWORD


class NeedsOcr(InputError):
    code = NEEDS_OCR


class CorruptFile(InputError):
    code = CORRUPT_FILE


class NoText(InputError):
    code = NO_TEXT


class ConfigError(DocpipeError):
    code = CONFIG_ERROR


class ModelError(DocpipeError):
    """Loading or running the model failed, or its output failed validation."""

    code = MODEL_ERROR


class StoreError(DocpipeError):
    code = STORE_ERROR


class DatabaseUnavailable(StoreError):
    """The database did not answer (down, restarting, out of connection slots): a fault of
    the moment, not of the document. Workers give their unit back and send it again; the
    edges say `store_error` as for any other store failure."""


class NotFound(DocpipeError):
    """No such thing, or not one the caller may see: the two are never told apart."""

    code = NOT_FOUND


class AccessDenied(DocpipeError):
    """The caller may see the thing but not do this to it (a viewer asking to upload).
    Something the caller may not see at all is NotFound, so existence does not leak."""

    code = ACCESS_DENIED


class Unauthenticated(DocpipeError):
    """Nobody we know is asking: no key, a wrong one, an expired session, a revoked user."""

    code = UNAUTHENTICATED
