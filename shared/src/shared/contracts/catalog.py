"""Imports every producer's contract module so the registry is complete."""

from __future__ import annotations

import importlib
import pkgutil

import shared.contracts as contracts_pkg
from shared.contracts.base import Contract
from shared.contracts.registry import EVENT_TYPES

_INFRA_MODULES = {"base", "catalog", "envelope", "labels", "registry", "topics"}


def load_all() -> dict[str, type[Contract]]:
    """Every registered event type, after importing each `shared.contracts.<producer>` module."""
    for module in pkgutil.iter_modules(contracts_pkg.__path__):
        if module.name not in _INFRA_MODULES:
            importlib.import_module(f"shared.contracts.{module.name}")
    return dict(EVENT_TYPES)
