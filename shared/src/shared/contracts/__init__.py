"""Event contracts: the only thing a service may import about another service."""

from shared.contracts.base import Contract
from shared.contracts.envelope import CloudEvent, EnvelopeError
from shared.contracts.registry import EVENT_TYPES, contract_for, register

__all__ = ["EVENT_TYPES", "CloudEvent", "Contract", "EnvelopeError", "contract_for", "register"]
