"""`docpipe serve`: the HTTP API (/api/v1) and the web pages, one FastAPI app from
``docpipe.web.app.create_app``. An edge like the CLI: it calls the service layer only."""
