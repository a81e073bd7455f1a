"""A test-only aggregate ("probe item") that exercises the messaging core where no real service fits."""
