"""Analysis without a broker: one background thread of the server process takes accepted
documents in turn (one at a time), never inside a request. Documents accepted but not yet
analysed when the server stopped are taken again when it starts."""
from __future__ import annotations

import logging
import queue
import threading

from docpipe.services import ingest
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings

log = logging.getLogger("docpipe.web.runner")


class Runner:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._queue: queue.Queue[tuple[int, int | None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="docpipe-runner", daemon=True)
            self._thread.start()
            try:
                for waiting in ingest.pending(self.settings, LOCAL_OPERATOR):
                    self._queue.put(waiting)
            except Exception:  # the database may be down at start; uploads still queue here later
                log.exception("could not list pending documents at start")

    def submit(self, document_id: int, run_id: int | None = None) -> None:
        self._queue.put((document_id, run_id))

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            document_id, run_id = item
            try:  # a document's own failure is recorded on it by run_inline
                outcome = ingest.run_inline(self.settings, document_id, run_id=run_id)
                log.info("document %s: %s", document_id, outcome.status)
            except Exception:
                log.exception("document %s: could not be analysed", document_id)
