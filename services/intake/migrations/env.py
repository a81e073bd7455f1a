"""Alembic environment of the intake database."""

from intake.adapters.tables import metadata
from intake.settings import IntakeSettings
from shared.audit import audit_metadata
from shared.db import run_alembic_env
from shared.messaging.tables import messaging_metadata

run_alembic_env([metadata, messaging_metadata, audit_metadata], IntakeSettings().database_url)
