"""A schema-driven fuzzer over every operation of every service: no input may be answered with a 5xx.

For each operation of each running service's OpenAPI, hypothesis draws path, query and body values from
the operation's own schemas, and mixes in what careless or hostile clients send: wrong types, NUL and
lone surrogates, integers beyond 64 bits, extreme and naive times, deep nesting, huge strings, ids of
other shapes. Calls are made as a caseworker of the seeded records' county (so the handlers run, not
only the authentication), and the 12345 webhook's calls are signed (version 2). Bounded: a fixed number
of examples per operation, each call with a timeout.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline_client import signed_headers
from tests.security.conftest import PRINCIPALS, Live

pytestmark = pytest.mark.integration
EXAMPLES_PER_OPERATION = 25
SKIP_PATHS = ("/healthz", "/readyz", "/metrics")

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "\ud800",
        "\udfff x",
        "’ or 1=1 --",
        "<script>",
        "%00",
        "../../etc/passwd",
        "x" * 5000,
    ]
)
HOSTILE_SCALAR = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(
        [True, None, 1e308, -0.0, "NaN", "9999-12-31T23:59:59", "0001-01-01", "2026-13-45", "1e400"]
    ),
)
HOSTILE = st.recursive(
    HOSTILE_SCALAR,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(HOSTILE_TEXT, children, max_size=3),
)
DEEP = st.integers(min_value=40, max_value=300).map(lambda n: json.loads("[" * n + "]" * n))


def _resolve(schema: dict[str, Any], components: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = local.get(name) or components[name]
    return schema


def from_schema(
    schema: dict[str, Any], components: dict[str, Any], local: dict[str, Any], depth: int = 0
) -> Any:
    """Values shaped by the schema (sometimes within its rules, sometimes not), or hostile ones."""
    schema = _resolve(schema, components, local)
    shaped = _shaped(schema, components, local, depth)
    return st.one_of(shaped, shaped, shaped, HOSTILE) if depth < 3 else shaped


def _shaped(schema: dict[str, Any], components: dict[str, Any], local: dict[str, Any], depth: int) -> Any:
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of(*(from_schema(s, components, local, depth + 1) for s in schema[key]))
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = {
            name: from_schema(prop, components, local, depth + 1)
            for name, prop in props.items()
            if name in required
        }
        optional = {
            name: from_schema(prop, components, local, depth + 1)
            for name, prop in props.items()
            if name not in required
        }
        return st.fixed_dictionaries(fields, optional=optional)
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), components, local, depth + 1), max_size=3)
    if kind == "integer":
        return st.integers(min_value=-(2**40), max_value=2**40)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return st.dates().map(str)
        if fmt == "date-time":
            return st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat())
        if fmt == "uuid":
            return st.uuids().map(str)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True) | st.text(max_size=20)
        return st.text(max_size=int(schema.get("maxLength", 60)) + 2)
    return HOSTILE


def _path_value(name: str, params: dict[str, str]) -> Any:
    real = params.get(name)
    weird = st.sampled_from(
        ["0", "-1", "CP-500154-2026-999999", "00000000-0000-0000-0000-000000000000", "%20", "x" * 300]
    )
    return st.one_of(st.just(real), weird) if real is not None else weird


def _call(
    http: httpx.Client,
    service: str,
    method: str,
    path: str,
    op: dict[str, Any],
    data: Any,
    live: Live,
    components: dict[str, Any],
) -> httpx.Response:
    values = {m: data.draw(_path_value(m, live.params)) for m in re.findall(r"\{(\w+)\}", path)}
    url = re.sub(r"\{(\w+)\}", lambda m: httpx.URL("/" + str(values[m.group(1)])).raw_path.decode()[1:], path)
    query = {
        p["name"]: data.draw(from_schema(p.get("schema", {}), components, {}))
        for p in op.get("parameters", [])
        if p.get("in") == "query" and (p.get("required") or data.draw(st.booleans()))
    }
    # Encoded by hand: a lone surrogate must reach the server as the bytes a careless client would send.
    pairs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items() if v is not None}
    query_string = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in pairs.items()})
    if query_string:
        url = f"{url}?{query_string}"
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    body: Any = None
    if content is not None:
        schema = content["schema"]
        body = data.draw(st.one_of(from_schema(schema, components, schema.get("$defs", {})), DEEP))
    raw = (
        b""
        if body is None
        else json.dumps(body, ensure_ascii=data.draw(st.booleans())).encode("utf-8", "surrogatepass")
    )
    headers: dict[str, str] = {"Content-Type": "application/json"}
    if "/hotline/" in path:
        target = httpx.URL(url).raw_path.decode()
        headers.update(signed_headers(raw, method=method, target=target))
    else:
        token = PRINCIPALS["supervisor" if data.draw(st.booleans()) else "worker"]
        assert token is not None
        headers.update(token)
    return http.request(method, url, content=raw if body is not None else None, headers=headers)


@pytest.mark.parametrize("service", ["intake", "child_protection", "timeline"])
def test_no_operation_answers_any_input_with_a_server_error(live: Live, service: str) -> None:
    with httpx.Client(base_url=live.urls[service], timeout=30) as http:
        spec = http.get("/openapi.json").json()
        components = spec.get("components", {}).get("schemas", {})
        errors: list[str] = []
        statuses: dict[int, int] = {}
        calls = 0
        for path, ops in spec["paths"].items():
            if path.startswith(SKIP_PATHS):
                continue
            for method, op in ops.items():
                calls += fuzz(http, service, method.upper(), path, op, live, components, errors, statuses)
    print(f"{service}: {calls} fuzzed calls, answers {dict(sorted(statuses.items()))}")
    assert errors == [], "\n".join(errors[:30])


def fuzz(
    http: httpx.Client,
    service: str,
    method: str,
    path: str,
    op: dict[str, Any],
    live: Live,
    components: dict[str, Any],
    errors: list[str],
    statuses: dict[int, int],
) -> int:
    """Up to EXAMPLES_PER_OPERATION calls of one operation; every 5xx is noted; returns how many."""
    before = sum(statuses.values())

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: Any) -> None:
        response = _call(http, service, method, path, op, data, live, components)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            errors.append(
                f"{method} {path} → {response.status_code} {response.request.url} {response.text[:100]}"
            )

    run()
    return sum(statuses.values()) - before
