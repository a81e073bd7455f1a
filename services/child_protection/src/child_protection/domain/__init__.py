"""child_protection service."""
