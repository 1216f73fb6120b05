"""Running the pipeline on a fleet: Celery dispatch on Redis (``dispatch``, ``app``),
claims and leases on units of work (``claims``), and the fan-out of a document's chunks
to every llm worker with the reconciler (``fanout``). PostgreSQL is the record; Redis
holds nothing that cannot be rebuilt."""
