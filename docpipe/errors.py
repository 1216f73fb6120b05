"""A small exception tree. Bad input is separated from model and store faults; every error
carries a stable ``code`` that is stored with a failed document and shown to the user."""
from __future__ import annotations


class DocpipeError(Exception):
    code = "internal_error"

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

    code = "bad_input"


class EmptyFile(InputError):
    code = "empty_file"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class ContentMismatch(InputError):
    """The bytes say one format, the name claims another (e.g. text named .pdf)."""

    code = "content_mismatch"


class NeedsPassword(InputError):
    code = "needs_password"


class NeedsOcr(InputError):
    code = "needs_ocr"


class CorruptFile(InputError):
    code = "corrupt_file"


class NoText(InputError):
    code = "no_text"


class ConfigError(DocpipeError):
    code = "config_error"


class ModelError(DocpipeError):
    """Loading or running the model failed, or its output failed validation."""

    code = "model_error"


class StoreError(DocpipeError):
    code = "store_error"


class NotFound(DocpipeError):
    code = "not_found"
