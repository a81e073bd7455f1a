"""Shared library of the casework platform."""
