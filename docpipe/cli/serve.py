"""`docpipe serve`: the HTTP API and the web pages."""
from __future__ import annotations

import click

from docpipe.cli.common import say, settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to bind; keep loopback and put a TLS proxy in front (deploy/README.md)")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--trusted-proxy", "proxies", multiple=True, metavar="ADDRESS",
              help="a reverse proxy whose X-Forwarded-For is believed (repeatable), e.g. 127.0.0.1: then "
                   "sign-in limits and logs see the real client address")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, proxies: tuple[str, ...], log_level: str) -> None:
    """Serve the API (/api/v1, OpenAPI at /api/v1/openapi.json) and the web pages (/).

    Without DOCPIPE_BROKER_URL uploads are analysed one at a time by a background thread of
    this process; with it they are queued for the workers."""
    import uvicorn

    from docpipe.web.app import create_app

    config = settings()
    app = create_app(config)
    mode = f"queued for the workers ({config.broker_url.split('@')[-1]})" if config.broker_url \
        else "analysed in this process, one at a time"
    say(f"docpipe serve: http://{host}:{port}/ (documents {mode}); stop with Ctrl-C")
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) or None)


COMMANDS = (serve,)
