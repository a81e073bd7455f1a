"""Which entries a viewer may see, as SQL conditions (shared by the read side and the link corrections)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_
from sqlalchemy.orm import aliased

from shared.regions import is_scope, region_prefix
from timeline.adapters.tables import timeline_entry
from timeline.domain.viewer import Filters, Viewer

_t = timeline_entry


def minor_related() -> ColumnElement[bool]:
    """An entry is sensitive when it is itself, or when any entry of its case is (a work order about a
    child stays sensitive after the events that named the child)."""
    other = aliased(_t)
    return or_(
        _t.c.sensitivity == "sensitive",
        exists().where(other.c.case_ref == _t.c.case_ref, other.c.sensitivity == "sensitive"),
    )


def visible(scope: ColumnElement[bool], viewer: Viewer, filters: Filters) -> list[ColumnElement[bool]]:
    """The entries of `scope` the viewer may see, narrowed by `filters` (region checked again in Python)."""
    if not is_scope(viewer.region) or not viewer.sources:
        return [false()]
    conditions = [scope, _t.c.regioncode.is_not(None), _t.c.source.in_(sorted(viewer.sources))]
    prefix = region_prefix(viewer.region)
    if prefix:
        conditions.append(_t.c.regioncode.startswith(prefix, autoescape=True))
    if filters.services:
        conditions.append(_t.c.source.in_(filters.services))
    if filters.types:
        conditions.append(_t.c.type.in_(filters.types))
    if filters.since is not None:
        conditions.append(_t.c.event_time >= filters.since)
    if filters.until is not None:
        conditions.append(_t.c.event_time < filters.until)
    if not viewer.can_see_sensitive:
        conditions.append(~minor_related())
    return conditions
