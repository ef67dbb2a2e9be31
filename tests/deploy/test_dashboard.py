"""The Grafana dashboard: valid JSON whose queries use only metrics /metrics exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bridge.observability.metrics import IngressMetrics
from tests.deploy.conftest import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "oabridge-dashboard.json"
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}


def exported_names() -> set[str]:
    """The series names the ingress's /metrics can expose (built from its registry)."""
    return {
        family.name + suffix
        for family in IngressMetrics().registry.collect()
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def queries(node: Any) -> Iterator[str]:
    """Every PromQL expression in the dashboard: panel targets and variable queries."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (
                key in {"expr", "definition"} or (key == "query" and "(" in value)
            ):
                yield value
            else:
                yield from queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from queries(item)


def test_dashboard_queries_use_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exported = exported_names()
    found = list(queries(dashboard))
    assert len(found) >= 10
    used: set[str] = set()
    for query in found:
        names = set(re.findall(r"\boabridge_[a-z_]+\b", query))
        assert names, f"no oabridge metric in {query!r}"
        assert names <= exported, f"{query!r} uses {sorted(names - exported)}"
        used |= names
    for wanted in ["oabridge_queue_depth", "oabridge_intake_depth", "oabridge_poll_lag_seconds",
                   "oabridge_events", "oabridge_http_requests_total",
                   "oabridge_duplicates_ignored_total", "oabridge_jobs_enqueued_total"]:
        assert wanted in used, wanted


def test_dashboard_panels_are_well_formed() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        for target in panel.get("targets", []):
            assert target["refId"] and target["expr"]
