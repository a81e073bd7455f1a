"""Probe worker: relay + consumer, as every service runs them."""

from __future__ import annotations

import asyncio

from probe.contracts import TOPIC, ItemCreated
from probe.handlers import make_handler
from probe.settings import ProbeSettings
from shared.messaging.worker import run_worker


def main() -> None:
    settings = ProbeSettings()
    handler = make_handler(settings.handler_delay_s)
    asyncio.run(
        run_worker(
            settings,
            topics=(TOPIC,),
            handlers={ItemCreated.EVENT_TYPE: handler},
            metrics_port=settings.worker_metrics_port,
        )
    )


if __name__ == "__main__":
    main()
