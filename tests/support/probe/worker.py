"""Probe worker: relay + consumer, as every service runs them."""

from __future__ import annotations

from probe.bootstrap import bootstrap
from probe.handlers import ROUTES, TOPIC
from probe.settings import ProbeSettings
from shared.kit.worker import Subscription, WorkerSpec, run_worker, serve

WORKER = WorkerSpec(outbox=True, subscription=Subscription(topics=(TOPIC,), routes=ROUTES))


def main() -> None:
    serve(run_worker(ProbeSettings(), bootstrap, WORKER))


if __name__ == "__main__":
    main()
