"""The app factory: ``create_app(settings)`` builds the API, the pages, the static assets
(served by docpipe itself: no CDN), /healthz and /metrics. ``docpipe serve`` runs it with
uvicorn; tests build it directly."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from docpipe.domain import DocumentStatus
from docpipe.services import ingest, operations
from docpipe.settings import Settings, load_settings
from docpipe.web import api, metrics, pages, problems
from docpipe.web.auth import Sessions, SignInLimiter
from docpipe.web.runner import Runner

API_TITLE = "docpipe"


def create_app(settings: Settings | None = None, *, run_documents: bool = True) -> FastAPI:
    """The whole HTTP side of docpipe. ``run_documents=False`` accepts uploads without
    analysing them (tests of the door alone; the documents stay pending)."""
    settings = settings or load_settings()
    runner = Runner(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if run_documents and not settings.broker_url:
            runner.start()
        yield
        runner.stop()

    app = FastAPI(title=API_TITLE, version="1", lifespan=lifespan, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/v1/openapi.json", swagger_ui_parameters=None,
                  description="Self-hosted analysis of contracts and transcripts: cited, verified, stored. "
                              "Authenticate with `Authorization: Bearer <API key>` (`docpipe user add`). "
                              "Errors are application/problem+json with the code the CLI prints.")
    app.state.settings = settings
    app.state.sessions = Sessions(settings)
    app.state.signins = SignInLimiter(settings.signin_attempts)

    def start_analysis(document_id: int) -> str:
        """Queue for the fleet (with a broker) or for this server's runner; the status now."""
        if settings.broker_url:
            return ingest.analyse(settings, document_id).status
        if not run_documents:
            return DocumentStatus.PENDING
        runner.submit(document_id, ingest.queue_here(settings, document_id))
        return DocumentStatus.QUEUED

    app.state.start_analysis = start_analysis
    problems.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        ok, detail = operations.health(settings)
        return JSONResponse({"status": "ok" if ok else "unavailable", "database": detail},
                            status_code=200 if ok else 503)

    app.include_router(api.router)
    app.include_router(metrics.router)
    pages.install(app)

    original = app.openapi

    def openapi() -> dict:
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = api.problem_schema()
        return schema

    app.openapi = openapi
    return app


def factory() -> FastAPI:
    """For uvicorn --factory: settings from the environment."""
    return create_app()


