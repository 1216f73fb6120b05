"""Latency and throughput of the HTTP API on a realistic database.

    .venv/bin/python benchmarks/api.py [--documents 10000] [--requests 200] [--json]
    .venv/bin/python benchmarks/api.py --documents 1000 --keep       # keep the schema ...
    .venv/bin/python benchmarks/api.py --schema bench_api_1a2b3c4d   # ... and measure it again

Needs the local PostgreSQL (127.0.0.1:5432, database ``test``, or $DOCPIPE_TEST_PG). It
makes a fresh schema owned by an ordinary role (``docpipe_bench``, made when missing: no
superuser, so row-level security applies as it does in production; ``--superuser`` runs as
the connecting superuser instead, which PostgreSQL exempts from it), migrates it, bulk-inserts N synthetic analysed contracts spread over
20 matters (three pages of text each, a done run with about 15 findings: parties, governing
law from a varied set, dates, renewal and notice periods and a few CUAD clauses; a brief;
the search entries full text reads; some failed documents), adds an admin and an analyst
who belongs to one matter, starts the real server (``docpipe serve``) on a free loopback
port, and measures, for each caller at concurrency 1 and 16 (httpx, one client per thread):

- list:   GET /api/v1/documents?field.governing_law=...&has=expiration_date&expires_before=...
- search: GET /api/v1/search?q=...
- detail: GET /api/v1/documents/{id}

It prints p50 / p95 / p99 latency and requests per second per cell; ``--json`` also writes
them to benchmarks/results/api-<N>docs-{rls,superuser}.json. The client threads run on the same machine as
the server and the database: on 2 cores the three share them. The schema is dropped at the
end unless ``--keep`` (or ``--schema``) is given.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import docpipe  # noqa: E402,F401  (offline environment first)
from docpipe.services import users  # noqa: E402
from docpipe.services.caller import LOCAL_OPERATOR, Role  # noqa: E402
from docpipe.settings import Settings  # noqa: E402
from docpipe.store.db import ensure_schema, get_engine  # noqa: E402
from docpipe.store.models import Document, FindingRecord, Matter, Page, Run, SearchEntry, Summary  # noqa: E402

PG = os.environ.get("DOCPIPE_TEST_PG", "postgresql+psycopg://root@127.0.0.1:5432/test")
ROLE = "docpipe_bench"
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
MATTERS = 20
BATCH = 500

# ------------------------------------------------------------------ synthetic contracts

LAWS = [("Delaware", 24), ("New York", 20), ("California", 14), ("Texas", 8), ("Illinois", 6),
        ("Massachusetts", 5), ("Washington", 5), ("Florida", 4), ("Georgia", 3), ("Colorado", 3),
        ("England and Wales", 5), ("Ontario", 3)]
FIRST = ["Northwind", "Kestrel", "Bluefin", "Harbor", "Cobalt", "Granite", "Aurora", "Summit", "Redwood",
         "Meridian", "Falcon", "Juniper", "Sterling", "Beacon", "Cascade", "Orchid", "Pioneer", "Quartz",
         "Sable", "Tidewater", "Vantage", "Willow", "Zephyr", "Ironwood", "Lakeshore", "Maple", "Obsidian",
         "Pinnacle", "Riverside", "Silverline", "Thistle", "Upland", "Vertex", "Westbrook", "Yarrow",
         "Alder", "Birch", "Cedar", "Dunmore", "Elmstead"]
SECOND = ["Analytics", "Logistics", "Software", "Parts", "Health", "Capital", "Systems", "Foods", "Energy",
          "Robotics", "Media", "Pharma", "Freight", "Labs", "Networks", "Materials", "Retail", "Biotech",
          "Insurance", "Holdings"]
SUFFIX = ["Inc.", "LLC", "Ltd.", "Corp.", "GmbH", "plc"]
KINDS = ["Master Services Agreement", "Supply Agreement", "Software License Agreement",
         "Mutual Non-Disclosure Agreement", "Reseller Agreement", "Consulting Agreement",
         "Subscription Agreement", "Distribution Agreement"]
CLAUSES = {  # field -> (share of documents, sentence)
    "change_of_control": (0.35, "Either party may terminate this Agreement upon a change of control of the other "
                                "party, including a merger or a sale of all or substantially all of its assets."),
    "audit_rights": (0.25, "Customer may, upon thirty days' notice, audit the books and records of Provider "
                           "relating to the fees charged under this Agreement once in any calendar year."),
    "source_code_escrow": (0.10, "Licensor shall deposit the source code of the Software with an escrow agent "
                                 "and release it to Licensee upon a bankruptcy of Licensor."),
    "non_compete": (0.12, "During the term, Supplier shall not provide competing services to any direct "
                          "competitor of Customer within the territory."),
    "most_favored_nation": (0.08, "If Provider offers any other customer more favorable pricing for similar "
                                  "volumes, Provider shall offer the same pricing to Customer."),
    "insurance": (0.40, "Each party shall maintain commercial general liability insurance of not less than "
                        "two million dollars per occurrence."),
    "anti_assignment": (0.55, "Neither party may assign this Agreement without the prior written consent of "
                              "the other party."),
}
FILLER = [
    "Arbitration. Any dispute shall be finally settled by arbitration administered by the American "
    "Arbitration Association under its Commercial Arbitration Rules.",
    "Force Majeure. Neither party is liable for delay caused by events beyond its reasonable control, "
    "including fire, flood, pandemic, war or failure of public utilities.",
    "Indemnification. Each party shall defend and indemnify the other against third-party claims arising "
    "from its gross negligence or wilful misconduct.",
    "Confidentiality. Each party shall protect the other party's confidential information with at least "
    "reasonable care and use it only to perform this Agreement.",
    "Warranties. Provider warrants that the services will be performed in a professional and workmanlike "
    "manner consistent with industry standards.",
    "Notices. Notices shall be in writing and delivered by hand, by courier or by certified mail to the "
    "addresses set out above.",
    "Data Protection. Provider shall process personal data only on documented instructions and shall "
    "notify Customer of any personal data breach without undue delay.",
    "Entire Agreement. This Agreement is the entire agreement of the parties and supersedes all prior "
    "proposals, negotiations and understandings.",
]
FAILURES = ["corrupt_file", "needs_ocr", "parse_timeout", "model_error", "needs_password"]


def _party(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(SUFFIX)}"


def _day(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def synthetic(number: int, rng: random.Random) -> dict:
    """One contract: three pages of text and the findings a run would have stored."""
    kind = rng.choice(KINDS)
    a, b = _party(rng), _party(rng)
    law = rng.choices([name for name, _ in LAWS], weights=[w for _, w in LAWS])[0]
    effective = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
    expires = effective + timedelta(days=365 * rng.choice([1, 2, 3, 5, 7]) + rng.randrange(-30, 30)) \
        if rng.random() < 0.9 else None
    renewal = rng.choice([None, None, 1, 1, 2, 3])
    notice = rng.choice([None, 30, 60, 90])
    cap = rng.choice([None, None, 500_000, 1_000_000, 5_000_000])
    fee = rng.randrange(5, 500) * 1000
    found: list[tuple[str, str, str | None, int, str]] = []  # field, value, normalized, page, quote

    title = f"{kind.upper()}"
    intro = (f"This {kind} is entered into as of {_day(effective)} by and between {a}, a corporation "
             f"(\"Company\"), and {b} (\"Counterparty\").")
    recital = (f"{a} wishes to obtain and {b} wishes to provide the goods and services described in the "
               "statements of work, on the terms below.")
    p1 = [title, intro, recital] + rng.sample(FILLER, 2)
    found += [("document_name", kind, None, 1, title), ("parties", a, a, 1, intro), ("parties", b, b, 1, intro),
              ("agreement_date", _day(effective), effective.isoformat(), 1, intro),
              ("effective_date", _day(effective), effective.isoformat(), 1, intro)]

    term = (f"1. Term. This Agreement expires on {_day(expires)} unless renewed in writing." if expires else
            "1. Term. This Agreement continues until terminated by either party as provided below.")
    p2 = [term]
    if expires:
        found.append(("expiration_date", _day(expires), expires.isoformat(), 2, term))
    found.append(("term_and_renewal", term[9:80], None, 2, term))
    if renewal:
        s = (f"2. Renewal. This Agreement renews automatically for successive periods of {renewal} year"
             f"{'s' if renewal > 1 else ''} unless either party gives notice of non-renewal.")
        p2.append(s)
        found.append(("renewal_term", f"{renewal} year{'s' if renewal > 1 else ''}", f"P{renewal}Y", 2, s))
    if notice:
        s = (f"3. Notice. A party that does not wish to renew shall give written notice at least {notice} days "
             "before the end of the then-current term.")
        p2.append(s)
        found.append(("notice_period_to_terminate_renewal", f"{notice} days", f"P{notice}D", 2, s))
    pay = f"4. Payment. Customer shall pay fees of ${fee:,} per year, invoiced quarterly, within thirty days."
    p2.append(pay)
    found.append(("payment", f"${fee:,} per year", f"USD {fee}", 2, pay))
    for field, (share, sentence) in CLAUSES.items():
        if rng.random() < share:
            p2.append(sentence)
            found.append((field, sentence[:60], None, 2, sentence))
    if cap:
        s = (f"5. Limitation of Liability. Each party's aggregate liability shall not exceed ${cap:,}, except "
             "for breach of confidentiality.")
        p2.append(s)
        found.append(("cap_on_liability", f"${cap:,}", f"USD {cap}", 2, s))
    p2 += rng.sample(FILLER, 2)

    gov = f"12. Governing Law. This Agreement shall be governed by the laws of {law}, without regard to conflicts rules."
    sign = f"IN WITNESS WHEREOF the parties have signed this Agreement. {a} By: ______ {b} By: ______"
    p3 = [gov] + rng.sample(FILLER, 3) + [sign]
    found += [("governing_law", law, law, 3, gov),
              ("key_obligations", f"{b} provides the services; {a} pays the fees", None, 2, pay),
              ("risks", "termination on short notice", None, 2, term)]
    pages = ["\n".join(p) for p in (p1, p2, p3)]
    brief = [{"text": f"{a} and {b} entered into a {kind} effective {_day(effective)}.", "field": "parties",
              "by": None, "citation": {"page": 1, "quote": intro}, "verified": True},
             {"text": f"The agreement is governed by the laws of {law}.", "field": "governing_law", "by": None,
              "citation": {"page": 3, "quote": gov}, "verified": True},
             {"text": f"Fees are ${fee:,} per year.", "field": "payment", "by": None,
              "citation": {"page": 2, "quote": pay}, "verified": True}]
    return {"name": f"{kind.lower().replace(' ', '-')}-{number:05d}.pdf", "pages": pages, "found": found,
            "brief": brief}


def _timings(rng: random.Random) -> dict:
    parse, plan = round(rng.uniform(0.2, 3.0), 3), round(rng.uniform(0.05, 0.5), 3)
    map_, reduce = round(rng.uniform(20, 400), 3), round(rng.uniform(5, 60), 3)
    return {"parse": parse, "plan": plan, "map": map_, "reduce": reduce,
            "total": round(parse + plan + map_ + reduce, 3)}


def load(url: str, documents: int, seed: int = 7) -> dict:
    """Bulk-insert the synthetic documents (``url``: a superuser's, so row-level security
    does not check every row); returns {matter name: [document ids]}."""
    rng = random.Random(seed)
    engine = get_engine(url)
    now = datetime.now(timezone.utc)
    matters = [f"bench-matter-{i:02d}" for i in range(MATTERS)]
    by_matter: dict[str, list[int]] = {m: [] for m in matters}
    finding_id = page_id = entry_id = 0
    with engine.begin() as conn:
        conn.execute(Matter.__table__.insert(), [{"id": i + 1, "name": m, "created_at": now}
                                                 for i, m in enumerate(matters)])
    for start in range(0, documents, BATCH):
        docs, runs, summaries, findings, pages, entries = [], [], [], [], [], []
        for number in range(start + 1, min(documents, start + BATCH) + 1):
            c = synthetic(number, rng)
            matter = rng.randrange(MATTERS)
            by_matter[matters[matter]].append(number)
            created = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            failed = rng.random() < 0.04
            code = rng.choice(FAILURES) if failed else None
            docs.append({"id": number, "matter_id": matter + 1, "sha256": uuid.uuid4().hex * 2,
                         "original_name": c["name"], "size": rng.randrange(20_000, 2_000_000), "format": "pdf",
                         "kind": None if failed else "contract", "page_count": 3, "turn_count": None,
                         "status": "failed" if failed else "done", "error_code": code,
                         "error_message": f"synthetic failure ({code})" if failed else None, "meta": {},
                         "created_at": created, "updated_at": created})
            tokens = rng.randrange(2500, 9000)
            generated = rng.randrange(300, 1500)
            runs.append({"id": number, "document_id": number, "pipeline_version": "bench",
                         "status": "failed" if failed else "done", "stage": "parse" if failed else "done",
                         "kind": None if failed else "contract", "model_name": "bench.gguf",
                         "model_sha256": "0" * 64, "models": {}, "n_ctx": 4096, "chunks_total": 0 if failed else 2,
                         "chunks_done": 0 if failed else 2, "document_tokens": tokens,
                         "tokens_prompt": 0 if failed else tokens * 3, "tokens_evaluated": 0 if failed else tokens * 2,
                         "tokens_generated": 0 if failed else generated,
                         "llm_seconds": 0.0 if failed else round(generated / rng.uniform(8, 20) + tokens / 150, 2),
                         "timings": {} if failed else _timings(rng),
                         "coverage": {} if failed else {"unit": "page", "total": 3, "processed": 3,
                                                        "pages_total": 3, "pages_processed": 3, "complete": True,
                                                        "warnings": [], "kind_method": "detected"},
                         "attempts": 1, "error_code": code, "error_message": docs[-1]["error_message"],
                         "created_at": created, "finished_at": created + timedelta(minutes=5),
                         "parse_attempts": 1, "reduce_attempts": 0 if failed else 1})
            if failed:
                continue
            for seq, page_text in enumerate(c["pages"]):
                page_id += 1
                pages.append({"id": page_id, "document_id": number, "seq": seq, "page": seq + 1,
                              "page_label": None, "line": None, "turn": None, "speaker": None, "timestamp": None,
                              "text": page_text})
                entry_id += 1
                entries.append({"id": entry_id, "document_id": number, "source": "page", "ref": f"p. {seq + 1}",
                                "text": page_text})
            brief_text = "\n".join(p["text"] for p in c["brief"])
            entry_id += 1
            entries.append({"id": entry_id, "document_id": number, "source": "summary", "ref": "brief",
                            "text": brief_text})
            summaries.append({"id": number, "run_id": number, "kind": "contract", "brief": c["brief"],
                              "brief_text": brief_text, "not_found": [], "conflicts": []})
            for field, value, normalized, page, quote in c["found"]:
                finding_id += 1
                findings.append({"id": finding_id, "run_id": number, "document_id": number, "field": field,
                                 "value": value, "normalized": normalized, "quote": quote, "page": page,
                                 "page_label": None, "line": None, "turn": None, "speaker": None,
                                 "timestamp": None, "unit_id": None, "verified": True, "extra": {}})
        with engine.begin() as conn:
            for table, rows in ((Document, docs), (Run, runs), (Summary, summaries), (FindingRecord, findings),
                                (Page, pages), (SearchEntry, entries)):
                if rows:
                    conn.execute(table.__table__.insert(), rows)
        print(f"  loaded {min(documents, start + BATCH):,}/{documents:,} documents", file=sys.stderr)
    with engine.begin() as conn:
        for table in ("matters", "documents", "runs", "summaries", "findings", "pages", "search_entries"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("matters", "documents", "runs", "summaries", "findings", "pages", "search_entries",
                      "search_fts"):
            if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar():
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    return by_matter


def ordinary(root_url: str) -> str:
    """The same database and schema, connecting as the ordinary role."""
    return make_url(root_url).set(username=ROLE, password=None).render_as_string(hide_password=False)


# ------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DOCPIPE_DATABASE_URL": url, "DOCPIPE_DATA_DIR": str(data_dir)}
    env.pop("DOCPIPE_BROKER_URL", None)
    proc = subprocess.Popen([str(BIN / "docpipe"), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"docpipe serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("docpipe serve did not answer /healthz within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ------------------------------------------------------------------ measuring

SEARCHES = ["source code escrow", "arbitration", "force majeure", "change of control", "Kestrel",
            "personal data breach", "most favorable pricing", "Delaware", "Tidewater Robotics",
            "liquidated", "insurance per occurrence", "escrow agent bankruptcy"]
SEARCH_LAWS = ["New York", "Delaware", "California", "Texas", "England", "Ontario"]
BEFORE = ["2024-06-30", "2025-12-31", "2027-06-30", "2029-01-01"]


def requests_for(endpoint: str, ids: list[int], rng: random.Random):
    if endpoint == "detail":
        return lambda: (f"/api/v1/documents/{rng.choice(ids)}", None)
    if endpoint == "search":
        return lambda: ("/api/v1/search", {"q": rng.choice(SEARCHES)})
    return lambda: ("/api/v1/documents", {"field.governing_law": rng.choice(SEARCH_LAWS),
                                          "has": "expiration_date", "expires_before": rng.choice(BEFORE)})


def _size(endpoint: str, body: dict) -> int:
    if endpoint == "list":
        return body["total"]
    if endpoint == "search":
        return len(body["hits"])
    return len(body["findings"])


def measure(base: str, key: str, endpoint: str, ids: list[int], *, requests: int, concurrency: int,
            seed: int) -> dict:
    rng = random.Random(seed)
    make = requests_for(endpoint, ids, rng)
    plan = [make() for _ in range(requests + 4 * concurrency)]
    warm, plan = plan[:4 * concurrency], plan[4 * concurrency:]
    latencies: list[float] = []
    sizes: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {key}"}

    def run(items, keep: bool) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for path, params in items:
                started = time.perf_counter()
                r = client.get(path, params=params)
                took = time.perf_counter() - started
                if not keep:
                    continue
                with lock:
                    latencies.append(took)
                    if r.status_code != 200:
                        failures.append(f"{r.status_code} {path}")
                    elif len(sizes) < 50:
                        sizes.append(_size(endpoint, r.json()))

    def in_threads(items, keep: bool) -> float:
        shares = [items[i::concurrency] for i in range(concurrency)]
        threads = [threading.Thread(target=run, args=(share, keep)) for share in shares]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started

    in_threads(warm, keep=False)
    wall = in_threads(plan, keep=True)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"endpoint": endpoint, "concurrency": concurrency, "requests": len(latencies),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1), "rps": round(len(latencies) / wall, 1),
            "errors": len(failures), "first_errors": failures[:3],
            "result_size_mean": round(statistics.fmean(sizes), 1) if sizes else None}


def table(rows: list[dict]) -> str:
    head = (f"{'caller':<8} {'endpoint':<7} {'conc':>4} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'req/s':>7} {'err':>4} {'size':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['caller']:<8} {r['endpoint']:<7} {r['concurrency']:>4} {r['requests']:>5} "
                     f"{r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>7} {r['errors']:>4} "
                     f"{r['result_size_mean'] if r['result_size_mean'] is not None else '':>6}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--endpoints", nargs="+", default=["list", "search", "detail"],
                        choices=["list", "search", "detail"])
    parser.add_argument("--schema", help="measure an existing schema made by an earlier --keep run")
    parser.add_argument("--keep", action="store_true", help="keep the schema (its name is printed)")
    parser.add_argument("--json", action="store_true", help="also write benchmarks/results/api-<N>docs-<mode>.json")
    parser.add_argument("--superuser", action="store_true",
                        help="serve as the connecting superuser (row-level security does not apply)")
    args = parser.parse_args()

    admin = create_engine(PG)
    schema = args.schema or f"bench_api_{uuid.uuid4().hex[:8]}"
    root_url = f"{PG}?options=-csearch_path%3D{schema}"
    url = root_url if args.superuser else ordinary(root_url)
    tmp = Path(tempfile.mkdtemp(prefix="docpipe-bench-api-"))
    settings = Settings(data_dir=tmp / "data", database_url=url)
    proc = None
    try:
        if args.schema:
            ensure_schema(url, auto_upgrade=True)
            with get_engine(root_url).connect() as conn:
                rows = conn.execute(text("SELECT m.name, d.id FROM documents d JOIN matters m ON m.id = d.matter_id "
                                         "WHERE m.name LIKE 'bench-matter-%'")).all()
            by_matter: dict[str, list[int]] = {}
            for name, doc_id in rows:
                by_matter.setdefault(name, []).append(doc_id)
            print(f"schema {schema}: {len(rows):,} documents", file=sys.stderr)
        else:
            with admin.begin() as conn:
                if not args.superuser:
                    conn.execute(text(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') "
                                      f"THEN CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"))
                owner = "" if args.superuser else f" AUTHORIZATION {ROLE}"
                conn.execute(text(f'CREATE SCHEMA "{schema}"{owner}'))
            ensure_schema(url, auto_upgrade=True)  # as the role that serves, like production
            started = time.perf_counter()
            by_matter = load(root_url, args.documents)
            print(f"schema {schema}: {args.documents:,} documents loaded in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
        suffix = uuid.uuid4().hex[:6]
        matter = "bench-matter-00"
        _, admin_key = users.add_user(settings, LOCAL_OPERATOR, f"bench-admin-{suffix}", role=Role.ADMIN, matters=[])
        _, analyst_key = users.add_user(settings, LOCAL_OPERATOR, f"bench-analyst-{suffix}", role=Role.ANALYST,
                                        matters=[matter])
        port = free_port()
        proc = start_server(url, tmp / "data", port)
        base = f"http://127.0.0.1:{port}"
        everything = sorted(i for ids in by_matter.values() for i in ids)
        callers = [("analyst", analyst_key, sorted(by_matter[matter])), ("admin", admin_key, everything)]
        rows = []
        for (who, key, ids), endpoint, concurrency in itertools.product(callers, args.endpoints, args.concurrency):
            result = measure(base, key, endpoint, ids, requests=args.requests * (2 if concurrency > 1 else 1),
                             concurrency=concurrency, seed=len(rows))
            rows.append({"caller": who, **result})
            print(f"  {who} {endpoint} c={concurrency}: p95 {result['p95_ms']} ms, {result['rps']} req/s"
                  + (f", {result['errors']} errors {result['first_errors']}" if result["errors"] else ""),
                  file=sys.stderr)
        total = sum(len(v) for v in by_matter.values())
        who_serves = "a superuser (no row-level security)" if args.superuser else \
            f"role {ROLE} (row-level security applies)"
        print(f"\n{total:,} documents ({len(by_matter[matter]):,} in the analyst's matter), "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, PostgreSQL at 127.0.0.1 as {who_serves}\n")
        print(table(rows))
        if args.json:
            RESULTS.mkdir(parents=True, exist_ok=True)
            out = RESULTS / f"api-{total}docs-{'superuser' if args.superuser else 'rls'}.json"
            out.write_text(json.dumps({"documents": total, "analyst_documents": len(by_matter[matter]),
                                       "row_level_security": not args.superuser,
                                       "load_average_after": round(os.getloadavg()[0], 2),
                                       "cores": os.cpu_count(), "python": platform.python_version(),
                                       "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                       "results": rows}, indent=2) + "\n")
            print(f"\nwritten to {out.relative_to(ROOT)}")
        return 0
    finally:
        if proc is not None:
            stop_server(proc)
        get_engine(url).dispose()
        get_engine(root_url).dispose()
        if args.keep or args.schema:
            print(f"schema kept: {schema}  (measure again: benchmarks/api.py --schema {schema})", file=sys.stderr)
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
