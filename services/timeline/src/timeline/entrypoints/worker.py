"""timeline worker: the projection consumer (every domain topic, by pattern) beside the outbox relay."""

from __future__ import annotations

from shared.messaging.worker import run_worker, serve
from shared.observability.metrics import get_metrics
from timeline.entrypoints.consumer import projection_task
from timeline.settings import TimelineSettings


def main() -> None:
    settings = TimelineSettings()
    serve(
        run_worker(
            settings,
            # The consumer subscribes by pattern, so it runs as an extra task rather than by topic list.
            topics=(),
            handlers={},
            metrics_port=settings.worker_metrics_port,
            extra_tasks=[projection_task(settings, get_metrics(settings.service_name))],
        )
    )


if __name__ == "__main__":
    main()
