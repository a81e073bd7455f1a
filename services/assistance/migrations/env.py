"""Alembic environment of the assistance database."""

import os

from assistance.adapters.tables import metadata
from shared.audit import audit_metadata
from shared.db import run_alembic_env
from shared.messaging.tables import messaging_metadata

# assistance has no settings module yet (no API or worker); the URL is what its settings will read.
DEFAULT_URL = "postgresql+asyncpg://postgres@/assistance"

run_alembic_env(
    [metadata, messaging_metadata, audit_metadata], os.environ.get("ASSISTANCE_DATABASE_URL", DEFAULT_URL)
)
