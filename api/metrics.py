"""Prometheus metrics on a per-app registry (several apps in one process must not clash).

With `PROMETHEUS_MULTIPROC_DIR` set (`briefing serve --processes N` sets it to a fresh directory),
every process writes its values there and `/metrics`, answered by any one process, reports the
sum over all of them (prometheus_client's multiprocess mode), instead of that process's own.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

from briefing.models import Brief


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "briefing_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "briefing_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.briefs = Counter("briefing_briefs", "Briefs made", ["engine", "outcome"], registry=r)
        self.cache = Counter("briefing_brief_cache", "Brief cache lookups", ["result"], registry=r)
        self.llm_calls = Counter("briefing_llm_calls", "LLM calls", ["model"], registry=r)
        self.llm_tokens = Counter("briefing_llm_tokens", "LLM tokens", ["model", "kind"], registry=r)
        self.llm_cost = Counter("briefing_llm_cost_usd", "Estimated LLM cost in USD", ["model"], registry=r)
        # The depth is read from the shared database (the latest reading counts); the running jobs
        # add up over the live processes.
        self.queue_depth = Gauge(
            "briefing_job_queue_depth",
            "Jobs queued or running",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.jobs_running = Gauge(
            "briefing_jobs_running",
            "Jobs running in the server's processes",
            registry=r,
            multiprocess_mode="livesum",
        )

    def observe_brief(self, brief: Brief) -> None:
        """Count a brief made by an engine (cache hits are counted where they are served)."""
        meta = brief.meta
        self.briefs.labels(meta.engine, "ok").inc()
        if meta.llm_calls:
            model = meta.model or ""
            self.llm_calls.labels(model).inc(meta.llm_calls)
            self.llm_tokens.labels(model, "prompt").inc(meta.prompt_tokens)
            self.llm_tokens.labels(model, "completion").inc(meta.completion_tokens)
            if meta.cost_usd:
                self.llm_cost.labels(model).inc(meta.cost_usd)

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)

    def process_stopped(self) -> None:
        """Drop this process's live gauges from the shared directory (multiprocess mode only)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.mark_process_dead(os.getpid())
