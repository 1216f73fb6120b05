"""GET /metrics for operators (Prometheus text format).

Who may scrape: an admin's Bearer key, or a request from the server host itself (the local
operator; a proxied request is not one, see ``auth.loopback``). The figures come from
``services.metrics.snapshot``; each scrape builds a fresh registry from them, so nothing
is kept between scrapes and every number is read from the database at that moment.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from docpipe.services import metrics
from docpipe.services.caller import LOCAL_OPERATOR, Caller
from docpipe.web.auth import api_caller, bearer, loopback, require_admin_or_loopback

router = APIRouter()


def _families(snap: metrics.Snapshot) -> list:
    docs = GaugeMetricFamily("docpipe_documents", "Documents by status", labels=["status"])
    for status, count in snap.documents.items():
        docs.add_metric([status], count)
    failed = GaugeMetricFamily("docpipe_documents_failed", "Documents that stand failed, by error code",
                               labels=["code"])
    for code, count in sorted(snap.failed_documents.items()):
        failed.add_metric([code], count)
    runs_failed = CounterMetricFamily("docpipe_runs_failed", "Runs that ended failed, by error code",
                                      labels=["code"])
    for code, count in sorted(snap.failed_runs.items()):
        runs_failed.add_metric([code], count)
    stages = HistogramMetricFamily("docpipe_stage_duration_seconds",
                                   "Seconds each stage took, over every run that has ended", labels=["stage"])
    for stage, times in snap.stages.items():
        bounds = [repr(b) for b in metrics.STAGE_BUCKETS] + ["+Inf"]
        stages.add_metric([stage], list(zip(bounds, times.buckets)), sum_value=times.total)
    out = [docs, failed, runs_failed, stages,
           CounterMetricFamily("docpipe_llm_tokens_generated", "Tokens the model generated, all runs",
                               value=snap.tokens_generated),
           CounterMetricFamily("docpipe_llm_tokens_evaluated", "Prompt tokens the model evaluated, all runs",
                               value=snap.tokens_evaluated),
           CounterMetricFamily("docpipe_llm_seconds", "Seconds spent in the model, all runs",
                               value=snap.llm_seconds),
           GaugeMetricFamily("docpipe_llm_generated_tokens_per_second",
                             "Tokens generated per second of model time, all runs",
                             value=snap.generated_per_second),
           GaugeMetricFamily("docpipe_llm_evaluated_tokens_per_second",
                             "Prompt tokens evaluated per second of model time, all runs",
                             value=snap.evaluated_per_second)]
    if snap.broker:
        out.append(GaugeMetricFamily("docpipe_broker_up", "1 when the broker answered this scrape",
                                     value=1 if snap.broker_up else 0))
        if snap.broker_up:
            depth = GaugeMetricFamily("docpipe_queue_depth", "Messages waiting in each Celery queue",
                                      labels=["queue"])
            for queue, count in sorted(snap.queues.items()):
                depth.add_metric([queue], count)
            out.append(depth)
            out.append(GaugeMetricFamily("docpipe_queue_unacked", "Messages taken by a worker, not yet acknowledged",
                                         value=snap.unacked or 0))
    return out


class _Snapshot:
    """A collector over one snapshot (registered in a registry made for one scrape)."""

    def __init__(self, snap: metrics.Snapshot):
        self.snap = snap

    def collect(self):
        yield from _families(self.snap)


def exposition(snap: metrics.Snapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(snap))
    return generate_latest(registry)  # text format 0.0.4 (ASCII names): every Prometheus reads it


def _caller(request: Request) -> Caller:
    require_admin_or_loopback(request)
    if bearer(request) is None and loopback(request):
        return LOCAL_OPERATOR
    return api_caller(request)


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request) -> Response:
    body = exposition(metrics.snapshot(request.app.state.settings, _caller(request)))
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4, headers={"Cache-Control": "no-store"})
