"""`/metrics` in the Prometheus text format, from a per-app `CollectorRegistry` (never the global
one) whose one collector reads the live state at scrape time. What needs the database (callback
outcomes, its health) is fetched first, then the text is rendered at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from cc112_pbx.domain.acd import SeatStatus
from cc112_pbx.http.metrics_dispatch import dispatch_metrics
from cc112_pbx.services.api import ApiServices
from cc112_pbx.services.call_stats import LATENCY_BUCKETS


class Cc112Collector(Collector):
    def __init__(self, api: ApiServices) -> None:
        self.api = api
        self.extra: dict[str, Any] = {"callbacks": {}, "links": {}}

    def collect(self) -> Iterator[Metric]:
        live = self.api.live.snapshot()
        stats = self.api.stats
        yield GaugeMetricFamily("cc112_calls_waiting", "Callers waiting for a seat", value=len(live["waiting"]))
        yield GaugeMetricFamily("cc112_longest_wait_seconds", "The longest current wait",
                                value=live["longest_wait_s"])
        yield GaugeMetricFamily("cc112_calls_ringing", "Calls ringing a seat", value=len(live["ringing"]))
        yield GaugeMetricFamily("cc112_calls_connected", "Calls connected to a seat", value=len(live["connected"]))
        seats = GaugeMetricFamily("cc112_seats", "Seats by state", labels=["state"])
        for state in SeatStatus:
            seats.add_metric([state.value], sum(1 for s in live["seats"] if s["status"] == state.value))
        yield seats
        yield CounterMetricFamily("cc112_calls_answered", "Calls answered by a seat (since start)",
                                  value=stats.answered)
        within = CounterMetricFamily("cc112_calls_answered_within", "Calls answered within N seconds of arriving",
                                     labels=["seconds"])
        for seconds, n in stats.answered_within.items():
            within.add_metric([str(seconds)], n)
        yield within
        ended = CounterMetricFamily("cc112_calls_ended", "Calls ended, by outcome (since start)",
                                    labels=["outcome"])
        for outcome, n in sorted(stats.ended.items()):
            ended.add_metric([outcome], n)
        yield ended
        yield CounterMetricFamily("cc112_calls_abandoned", "Callers who hung up before any seat answered",
                                  value=stats.ended.get("abandoned", 0))
        callbacks = CounterMetricFamily("cc112_callback_attempts", "Callback attempts by outcome (stored)",
                                        labels=["outcome"])
        for outcome, n in sorted(self.extra["callbacks"].items()):
            callbacks.add_metric([outcome], n)
        yield callbacks
        links = GaugeMetricFamily("cc112_link_up", "1 when the link is connected", labels=["link"])
        for link, up in self.extra["links"].items():
            links.add_metric([link], 1.0 if up else 0.0)
        yield links
        buckets, running = [], 0
        for bound, cumulative in zip(LATENCY_BUCKETS, stats.latency_buckets, strict=True):
            running = cumulative
            buckets.append((repr(float(bound)), running))
        buckets.append(("+Inf", stats.latency_count))
        yield HistogramMetricFamily("cc112_offer_latency_seconds", "From when a seat could first be offered a "
                                    "waiting caller (free seat, or arrival at a free seat) to its ring",
                                    buckets=buckets, sum_value=stats.latency_sum)
        aml = CounterMetricFamily("cc112_aml_positions", "AML positions: received, duplicates, refused, matched "
                                  "to an incident, unmatched (deleted after the retention)", labels=["result"])
        for result in ("received", "duplicates", "refused", "matched", "unmatched"):
            aml.add_metric([result], getattr(self.api.aml.counts, result))
        yield aml
        yield GaugeMetricFamily("cc112_event_subscribers", "Open event-stream WebSockets",
                                value=self.api.events.subscribers)
        yield from dispatch_metrics(self.api.dispatch, self.extra.get("dispatches", {}))  # issue 17


class Metrics:
    def __init__(self, api: ApiServices) -> None:
        self.api = api
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = Cc112Collector(api)
        self.registry.register(self.collector)

    async def render(self) -> bytes:
        health = await self.api.health.check()
        try:
            callbacks = dict(await self.api.store.callbacks.outcome_counts())
        except Exception:
            callbacks = {}
        try:
            dispatches = dict(await self.api.dispatch.store.dispatches.status_counts())
        except Exception:
            dispatches = {}
        self.collector.extra = {
            "callbacks": callbacks, "dispatches": dispatches,
            "links": {"ari": health["ari"].get("state") == "connected",
                      "ami": health["ami"].get("state") == "connected",
                      "database": health["database"]["state"] == "connected"},
        }
        return generate_latest(self.registry)


METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)


async def metrics(request: web.Request) -> web.Response:
    body = await request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
