"""Alembic environment of the child_protection database."""

from child_protection.adapters.tables import metadata
from child_protection.settings import ChildProtectionSettings
from shared.audit import audit_metadata
from shared.db import run_alembic_env
from shared.messaging.tables import messaging_metadata

run_alembic_env([metadata, messaging_metadata, audit_metadata], ChildProtectionSettings().database_url)
