"""The delivery benchmark (`make bench`) must keep working: run it small (`--quick`) and check
that it finishes and that every delivery arrived exactly once. No timing is asserted: the numbers
belong to `make bench` on a quiet machine, not to a test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The benchmark always measures the embedded stack (it does not pass DATABASE_URL or REDIS_URL on),
# so this runs the same way in both passes of `make test`.
pytestmark = pytest.mark.e2e


def test_quick_benchmark_runs_and_every_delivery_arrives(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "delivery.py"), "--quick", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    results = json.loads(out.read_text())
    assert results["all_delivered_exactly_once"] is True
    assert results["problems"] == []
    for phase in ("throughput", "latency"):
        check = results[phase]["check"]
        assert check["ok"], check
        assert check["received_unique"] == check["deliveries_expected"] > 0
        assert check["statuses"] == {"sent": check["deliveries_expected"]}
        assert results[phase]["deliveries_per_s"] > 0
        assert results[phase]["latency_ms"]["p50"] is not None
    assert results["memory"]["overall"]["peak_rss_mb"] > 0
    peers = results["peers"]
    assert peers["raw"]["ok"] == peers["raw"]["count"]
    assert "Printbell deliveries/s" in proc.stdout  # the table was printed
