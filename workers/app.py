"""The Celery app for the `celery` command, built from the environment by docpipe's factory.

    celery -A workers.app worker -Q parse,llm      (or: docpipe worker --queues parse,llm)
    celery -A workers.app beat                     (nightly batch folders, reconciler)

`app` exists because the celery command looks the app up by attribute.
"""
from __future__ import annotations

import docpipe  # noqa: F401  (offline environment before anything else is imported)
from docpipe.fleet.app import create_app
from docpipe.settings import load_settings

app = create_app(load_settings())
