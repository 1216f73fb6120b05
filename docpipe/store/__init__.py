"""Persistence, the only code that touches the ORM: models, engine and migrations
(``db``), the content-addressed originals (``blobs``), and repositories by aggregate:
``documents`` (matters, documents, pages), ``runs`` (runs, chunks, findings, summaries),
``claims`` (leases on distributed work), ``batches`` and ``search``. Records go out,
never ORM rows."""
