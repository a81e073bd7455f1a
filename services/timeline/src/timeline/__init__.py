"""时间线: one story per case, per 12345 work order and per person, projected from every domain topic."""
