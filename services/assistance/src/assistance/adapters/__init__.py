"""Ports to storage: the repositories the handlers use (SQL adapters come later)."""
