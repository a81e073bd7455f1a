"""Use cases of assistance: handlers on the unit of work, run by the kit's message bus."""
