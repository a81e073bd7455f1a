"""timeline worker: the projection consumer only (every domain topic, by pattern); no outbox, no relay."""

from __future__ import annotations

from shared.kit.worker import WorkerSpec, run_worker, serve
from timeline.bootstrap import bootstrap
from timeline.entrypoints.consumer import batch_projection, subscription
from timeline.settings import TimelineSettings


def worker_spec(settings: TimelineSettings) -> WorkerSpec:
    """The timeline publishes nothing (outbox=False); its subscription depends on the settings' pattern."""
    return WorkerSpec(outbox=False, subscription=subscription(settings), batch=batch_projection)


def main() -> None:
    settings = TimelineSettings()
    serve(run_worker(settings, bootstrap, worker_spec(settings)))


if __name__ == "__main__":
    main()
