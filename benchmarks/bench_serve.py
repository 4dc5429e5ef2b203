"""Benchmark: ``nitrolyte serve`` under load, against the same app returning static JSON.

A uvicorn server (one process, started as ``nitrolyte serve`` starts it:
:func:`nitrolyte.web.server.serve`) on 127.0.0.1 serves a fresh seeded database. N concurrent
clients (keep-alive connections driven by one asyncio loop in this process: a raw HTTP/1.1
client that costs a fraction of the server's CPU per request, printed as ``client``) request
one endpoint for a fixed time; the script prints requests/s, p50/p99/max latency, the server's
garbage-collector pauses and the CPU time per request of server and client for

* ``GET /api/v1/materials`` (the default page: the first 100 rows),
* ``GET /materials/β-Li3N`` (a material page, HTML with its Arrhenius plot),
* ``GET /api/v1/materials/beta-Li3N/sigma?T_K=300``,

and for a baseline route of the same server that returns the same bytes as a precomputed
static body (``/bench-static/<endpoint>``, an ``async`` route: the cheapest the framework
offers), with the ratio app / static. Finally every client writes rows through
``POST /api/v1/measurements`` with its own token and the script counts them back: concurrent
writers must lose nothing.

Bounded: ``--duration`` seconds per endpoint (default 30), ``--max-requests`` per endpoint,
loopback only. Targets (issue 14, 2 cores): p99 < 100 ms and >= 300 requests/s for
``GET /api/v1/materials`` with 16 clients. The load average is printed at the start and the end:
on a shared machine the absolute figures move with it, the ratios much less.

Run:  .venv/bin/python benchmarks/bench_serve.py [--clients 16] [--duration 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ENDPOINTS = {"materials": "/api/v1/materials",
             "material_page": "/materials/%CE%B2-Li3N",
             "sigma": "/api/v1/materials/beta-Li3N/sigma?T_K=300"}


def serve(db_path: str, port: int) -> None:
    """Server process: the app as ``nitrolyte serve`` runs it, plus static twins of the measured
    endpoints and ``/bench-gc`` (the collector's pauses since the last call, the process's
    CPU time)."""
    import gc

    from fastapi import Response
    from fastapi.testclient import TestClient

    from nitrolyte.store import Database
    from nitrolyte.web import create_app
    from nitrolyte.web.server import serve as run_server

    app = create_app(Database(db_path))
    with TestClient(app, base_url="http://localhost") as client:
        bodies = {k: (client.get(p).content, client.get(p).headers["content-type"])
                  for k, p in ENDPOINTS.items()}

    async def static(key: str) -> Response:  # async: no worker thread, the cheapest route
        body, kind = bodies[key]
        return Response(body, media_type=kind)

    pauses: list[float] = []
    started = [0.0]

    def watch(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    timed = Timed(app)

    def gc_pauses() -> dict[str, Any]:
        out = {"n": len(pauses), "max_ms": 1e3 * max(pauses, default=0.0),
               "total_ms": 1e3 * sum(pauses), "cpu_s": time.process_time(),
               "inside_ms": [1e3 * t for t in timed.times]}
        pauses.clear()
        timed.times.clear()
        return out

    gc.callbacks.append(watch)
    app.add_api_route("/bench-static/{key}", static, methods=["GET"])
    app.add_api_route("/bench-gc", gc_pauses, methods=["GET"])
    run_server(timed, "127.0.0.1", port)


class Timed:
    """ASGI wrapper: the time each HTTP request spends inside the app (from the call to the
    last byte handed to the server), s; tells the app's own tail from time spent queued."""

    def __init__(self, app: Any):
        self.app, self.state = app, app.state
        self.times: list[float] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        t0 = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http" and not scope["path"].startswith("/bench-gc"):
            self.times.append(time.perf_counter() - t0)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(base: str, path: str, clients: int, duration: float, max_requests: int) -> dict[str, Any]:
    """``clients`` keep-alive connections request ``path`` for ``duration`` s (asyncio).

    A raw HTTP/1.1 client on asyncio streams (one coroutine per connection, no thread, no
    parsing beyond the status line and ``Content-Length``): it costs the shared CPUs far less
    per request than the server does, so the figures are the server's, for the app and its
    static twin alike.
    """
    import asyncio

    host, port = base.removeprefix("http://").rsplit(":", 1)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode()
    latencies: list[float] = []
    failures: list[bytes] = []
    budget = [max_requests]

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        length = next((int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n")
                       if line.startswith(b"content-length:")), None)
        if length is None:
            raise SystemExit(f"{path}: an answer without Content-Length")
        await reader.readexactly(length)
        return status

    async def client(start: asyncio.Event, stop_at: list[float]) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        await one(reader, writer)  # connect and warm before the clock starts
        await start.wait()
        while budget[0] > 0:  # at least one request per client, however loaded the machine is
            budget[0] -= 1
            t0 = time.perf_counter()
            status = await one(reader, writer)
            latencies.append(time.perf_counter() - t0)
            if status != b"200":
                failures.append(status)
            if t0 >= stop_at[0]:
                break
        writer.close()

    async def main() -> float:
        start, stop_at = asyncio.Event(), [0.0]
        tasks = [asyncio.create_task(client(start, stop_at)) for _ in range(clients)]
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        stop_at[0] = t0 + duration
        start.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - t0

    cpu0 = time.process_time()
    elapsed = asyncio.run(main())
    cpu = time.process_time() - cpu0
    if failures:
        raise SystemExit(f"{path}: {len(failures)} answers were not 200: {sorted(set(failures))}")
    return {"n": len(latencies), "elapsed": elapsed, "latencies": latencies,
            "client_us": 1e6 * cpu / len(latencies)}


def writers(base: str, tokens: list[str], per_client: int) -> tuple[int, int]:
    """Every client posts ``per_client`` rows with its own token; (sent, stored)."""
    import httpx

    def worker(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for j in range(per_client):
                row = {"name": f"Bench writer {i % 4}", "value": 1e-5 * (1 + j), "unit": "S/cm",
                       "T": "300K", "method": "bench", "note": f"client {i} row {j}"}
                r = c.post("/api/v1/measurements", json=row,
                           headers={"Authorization": f"Bearer {tokens[i]}"})
                if r.status_code != 201:
                    raise SystemExit(f"write failed: {r.status_code} {r.text}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with httpx.Client(base_url=base) as c:
        doc = c.get("/api/v1/materials", params={"source": "user", "limit": 1000}).json()
    stored = 0
    for m in doc["materials"]:
        rec = c_get_json(base, f"/api/v1/materials/{m['name']}")
        stored += sum(x["method"] == "bench" for x in rec["material"]["measurements"])
    return len(tokens) * per_client, stored


def c_get_json(base: str, path: str) -> Any:
    import httpx

    return httpx.get(base + path, timeout=30).json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--duration", type=float, default=30.0, help="s per endpoint (30)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per endpoint")
    parser.add_argument("--slice", type=float, default=5.0,
                        help="s per slice; app and static twin alternate (5)")
    parser.add_argument("--writes", type=int, default=20, help="rows each client writes (20)")
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    """Start the server process, measure, print, stop."""
    import httpx

    from nitrolyte.store import Database

    folder = Path(tempfile.mkdtemp(prefix="nitrolyte-bench-serve-"))
    db = Database(folder / "bench.sqlite")
    tokens = [db.create_token(f"client{i}") for i in range(args.clients)]
    db.close()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(folder / "bench.sqlite"),
                             str(port)], env={**os.environ})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/bench-static/materials", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        report(base, args, tokens)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def measure(base: str, paths: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Each path of ``paths`` for ``args.duration`` s in all, in interleaved slices of
    ``args.slice`` s (app, twin, app, twin, ...), so a burst of other work on a shared machine
    falls on both; latencies, server CPU time and in-app times merged per path."""
    slices = max(1, round(args.duration / args.slice))
    parts: dict[str, list[dict[str, Any]]] = {label: [] for label in paths}
    for _ in range(slices):
        for label, url in paths.items():
            start = c_get_json(base, "/bench-gc")
            r = load(base, url, args.clients, args.duration / slices,
                     max(1, args.max_requests // slices))
            end = c_get_json(base, "/bench-gc")
            parts[label].append({**r, "gc": end, "cpu_s": end["cpu_s"] - start["cpu_s"]})
    out = {}
    for label, runs in parts.items():
        lat = sorted(x for r in runs for x in r["latencies"])
        inside = sorted(x for r in runs for x in r["gc"]["inside_ms"])
        pick = lambda v, q: v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")  # noqa: E731
        n = len(lat)
        out[label] = {"n": n, "rps": n / sum(r["elapsed"] for r in runs),
                      "p50_ms": 1e3 * pick(lat, 0.5), "p99_ms": 1e3 * pick(lat, 0.99),
                      "max_ms": 1e3 * lat[-1], "inside_p99_ms": pick(inside, 0.99),
                      "inside_max_ms": inside[-1] if inside else float("nan"),
                      "gc_n": sum(r["gc"]["n"] for r in runs),
                      "gc_max_ms": max(r["gc"]["max_ms"] for r in runs),
                      "server_us": 1e6 * sum(r["cpu_s"] for r in runs) / n,
                      "client_us": sum(r["client_us"] * r["n"] for r in runs) / n}
    return out


def report(base: str, args: argparse.Namespace, tokens: list[str]) -> None:
    """Measure every endpoint and its static twin; print the table and the write check."""
    print(f"nitrolyte serve: {args.clients} concurrent clients, {args.duration:g} s per endpoint "
          f"(slices of {args.slice:g} s, app and static twin alternating), 127.0.0.1, "
          f"{os.cpu_count()} CPU(s); load average {_load()}")
    print(f"{'endpoint':<42} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'n':>7} "
          f"{'in-app p99/max ms':>17} {'GC n (max ms)':>14} {'CPU us/req srv':>14} {'client':>6}")
    results = {}
    for key, path in ENDPOINTS.items():
        twin = f"  static twin ({key})"
        paths = {path: path, twin: f"/bench-static/{key}"}
        if args.duration >= 5:
            for url in paths.values():
                load(base, url, args.clients, 1.0, 500)  # warm connections and caches
        got = measure(base, paths, args)
        for label, r in got.items():
            results[label] = r
            print(f"{label:<42} {r['rps']:7.0f} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f} "
                  f"{r['max_ms']:7.1f} {r['n']:7d} {r['inside_p99_ms']:8.2f}/"
                  f"{r['inside_max_ms']:<8.1f} {r['gc_n']:6d} ({r['gc_max_ms']:5.1f}) "
                  f"{r['server_us']:14.0f} {r['client_us']:6.0f}")
        app, base_ = results[path], results[twin]
        print(f"  ratio app / static: throughput {app['rps'] / base_['rps']:.2f}, "
              f"p99 {app['p99_ms'] / base_['p99_ms']:.2f}")
    sent, stored = writers(base, tokens, args.writes)
    print(f"concurrent writers: {len(tokens)} clients sent {sent} rows, {stored} stored, "
          f"{sent - stored} lost")
    if stored != sent:
        raise SystemExit("rows were lost")
    m = results[ENDPOINTS["materials"]]
    twin_m = results["  static twin (materials)"]
    print(f"load average at the end {_load()}")
    print(json.dumps({"materials_rps": round(m["rps"], 1),
                      "materials_p99_ms": round(m["p99_ms"], 2),
                      "ratio_rps_to_static": round(m["rps"] / twin_m["rps"], 3),
                      "ratio_p99_to_static": round(m["p99_ms"] / twin_m["p99_ms"], 3),
                      "target": "p99 < 100 ms, >= 300 req/s"}))


def _load() -> str:
    """The 1, 5 and 15 min load averages (the machine may be shared)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
