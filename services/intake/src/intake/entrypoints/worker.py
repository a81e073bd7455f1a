"""Intake worker: outbox relay + consumer of the domain services' case events."""

from __future__ import annotations

from intake.entrypoints.consumer import TOPICS, make_handlers
from intake.settings import IntakeSettings
from shared.crypto import FieldCipher
from shared.messaging.worker import run_worker, serve


def main() -> None:
    settings = IntakeSettings()
    handlers = make_handlers(FieldCipher(settings.data_key.get_secret_value()))
    serve(run_worker(settings, topics=TOPICS, handlers=handlers, metrics_port=settings.worker_metrics_port))


if __name__ == "__main__":
    main()
