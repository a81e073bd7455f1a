"""Intake service."""
