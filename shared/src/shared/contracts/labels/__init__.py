"""The Chinese names of every code the contracts carry, one module per producer (plus `common`).

Pages and the timeline read them from here, so a stage, a risk colour or a status has one name across
services, in the seeds' own terms.
"""
