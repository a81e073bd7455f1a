"""child_protection's composition root: the one place that knows the concrete classes."""

from __future__ import annotations

from dataclasses import dataclass, field

from child_protection.domain.child_visits import VisitPolicy
from child_protection.domain.deadlines import DeadlinePolicy, merge_rules
from child_protection.service_layer.calendar import is_workday
from child_protection.service_layer.handlers import HANDLERS
from child_protection.service_layer.unit_of_work import SqlChildProtectionUnitOfWork
from child_protection.settings import ChildProtectionSettings
from shared.crypto import FieldCipher
from shared.db import Sessions
from shared.kit.clock import Clock, system_clock
from shared.kit.messagebus import MessageBus, UnitOfWorkFactory
from shared.kit.runtime import Runtime
from shared.kit.unit_of_work import Inbound
from shared.observability.metrics import Metrics, get_metrics


@dataclass
class ChildProtectionRuntime(Runtime[ChildProtectionSettings]):
    """child_protection's wiring: the bus, the cipher the read side decrypts with, and the policies."""

    cipher: FieldCipher | None = None
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    visits: VisitPolicy = field(default_factory=VisitPolicy)
    metrics: Metrics | None = None


def visit_policy(settings: ChildProtectionSettings) -> VisitPolicy:
    """The contact cadence from the settings (documented defaults in settings.py)."""
    return VisitPolicy(
        interval_days=dict(settings.visit_interval_days),
        left_behind_contact_days=settings.left_behind_contact_days,
        missed_retry_days=settings.missed_visit_retry_days,
    )


def bootstrap(
    settings: ChildProtectionSettings,
    sessions: Sessions,
    *,
    uow_factory: UnitOfWorkFactory | None = None,
    clock: Clock = system_clock,
) -> ChildProtectionRuntime:
    """The bus with its handlers and their dependencies; tests pass a fake unit of work and a fixed clock."""
    cipher = FieldCipher.from_settings(settings)
    deadlines = DeadlinePolicy(merge_rules(settings.deadlines), is_workday)
    visits = visit_policy(settings)
    metrics = get_metrics(settings.service_name)

    def sql_uow(inbound: Inbound | None) -> SqlChildProtectionUnitOfWork:
        return SqlChildProtectionUnitOfWork(sessions, inbound, cipher=cipher)

    dependencies = {
        "settings": settings,
        "clock": clock,
        "deadlines": deadlines,
        "visits": visits,
        "metrics": metrics,
    }
    bus = MessageBus(uow_factory or sql_uow, HANDLERS, dependencies)
    return ChildProtectionRuntime(settings, sessions, bus, clock, cipher, deadlines, visits, metrics)
