"""The dispatch figures of `/metrics` (issue 17): response times per agency and stage (from the
dispatch being sent to its agency to accept, on scene and resolved), dispatches by status (stored),
overdue dispatches flagged, and officers' positions by result."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from cc112_pbx.services.dispatch_service import BUCKETS


def dispatch_metrics(dispatching: Any, statuses: Mapping[str, int]) -> Iterator[Metric]:
    response = HistogramMetricFamily("cc112_dispatch_response_seconds", "From a dispatch sent to its agency to "
                                     "its accept, on scene and resolved (since start)", labels=["agency", "stage"])
    for (agency, stage), values in sorted(dispatching.service.figures.observed.items()):
        buckets = [(repr(bound), sum(1 for v in values if v <= bound)) for bound in BUCKETS]
        buckets.append(("+Inf", len(values)))
        response.add_metric([agency, stage], buckets, sum(values))
    yield response
    by_status = GaugeMetricFamily("cc112_dispatches", "Dispatches by status (stored)", labels=["status"])
    for status, n in sorted(statuses.items()):
        by_status.add_metric([status], n)
    yield by_status
    yield CounterMetricFamily("cc112_dispatches_overdue", "Dispatches flagged for no accept within "
                              "[dispatch] accept_within (since start)", value=dispatching.service.figures.overdue)
    positions = CounterMetricFamily("cc112_officer_positions", "Officers' positions: accepted, refused (invalid), "
                                    "unauthorized (device or token), pruned (retention)", labels=["result"])
    for result in ("accepted", "refused", "unauthorized", "pruned"):
        positions.add_metric([result], getattr(dispatching.positions.counts, result))
    yield positions
