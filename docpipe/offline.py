"""Offline settings applied before any third-party import.

``unstructured`` pings its vendor on import and on every partition call unless one of these
is set first; ``HF_HUB_OFFLINE`` is read once at import time. ``docpipe/__init__.py`` calls
:func:`apply` before anything else, so every entry point (CLI, workers, tests) is covered.
"""
from __future__ import annotations

import os

OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
}


def apply() -> None:
    """Force the opt-outs. A user value of '' or '0' would re-enable telemetry, so we
    overwrite rather than setdefault."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def report() -> dict[str, str | None]:
    return {key: os.environ.get(key) for key in OFFLINE_ENV}
