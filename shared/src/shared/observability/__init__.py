"""Logs, traces, metrics and health endpoints shared by every service (import the submodules)."""
