"""What an edge (the CLI now; the HTTP API and web pages next) may ask for. Every call
carries its ``Caller``; access is decided in ``caller``, once, and every read passes the
caller's matters down to the store. Edges call these modules and nothing below them."""
