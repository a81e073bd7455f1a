"""Alembic environment of the timeline database."""

from shared.db import run_alembic_env
from shared.messaging.tables import messaging_metadata
from timeline.adapters.tables import metadata
from timeline.settings import TimelineSettings

run_alembic_env([metadata, messaging_metadata], TimelineSettings().database_url)
