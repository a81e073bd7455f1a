"""一门受理: the 12345 work-order gateway and the intake desk."""
