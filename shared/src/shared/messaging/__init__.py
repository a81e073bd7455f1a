"""Transactional outbox, relay, idempotent inbox consumer, dead letters and topic administration."""
