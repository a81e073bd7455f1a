"""Intake worker: outbox relay + consumer of the domain services' case events."""

from __future__ import annotations

from intake.bootstrap import bootstrap
from intake.entrypoints.consumer import SUBSCRIPTION
from intake.settings import IntakeSettings
from shared.kit.worker import WorkerSpec, run_worker, serve

WORKER = WorkerSpec(outbox=True, subscription=SUBSCRIPTION)


def main() -> None:
    serve(run_worker(IntakeSettings(), bootstrap, WORKER))


if __name__ == "__main__":
    main()
