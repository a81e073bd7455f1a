"""The authorization matrix, generated from each service's OpenAPI: every operation × every kind of caller.

For each operation of each running service (a new service's routes join by themselves), a schema-valid
body is built from the operation's own request schema (the minimal one hypothesis finds; region fields
aimed at 500154, the region of the seeded records), path parameters name the seeded records, and each
caller gets the answer the access policy promises:

- no token: 401;
- a role or a program the service does not serve: 403;
- caseworker / 审核人 of 500154: allowed (a 2xx, or a domain refusal 409/422); 审核人-only steps 403 to a
  caseworker;
- auditor of 500154: reads allowed, changes and creations 403;
- staff of another county or another city: a record of 500154 is 404 (it looks missing); lists answer
  without 500154's records; creations in 500154 are 403.

Allowed means neither 401, 403 nor 404. The timeline answers a case or work order out of scope with an
empty page (never 403 or 404 there, which would tell it exists) and a person out of scope with 404. The
12345 webhook is signed, not token-authenticated: without a signature every caller gets 401.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st

from tests.security.conftest import PRINCIPALS, Live

pytestmark = pytest.mark.integration
SKIP_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc")
SUPERVISOR_ONLY = re.compile(r"/(reveal-id|skip-request/(approve|reject))$")
AUDIT_ONLY = ("/api/v1/access-log",)
REGION_FIELDS = ("region_code",)


def _resolve(schema: dict[str, Any], components: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = local.get(name) or components[name]
    return schema


def example(schema: dict[str, Any], components: dict[str, Any], local: dict[str, Any]) -> Any:
    """The smallest instance of a JSON schema that satisfies its constraints (enough of them for ours)."""
    schema = _resolve(schema, components, local)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components, local).get("type") != "null"]
            return example(options[0], components, local) if options else None
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example(props[name], components, local) for name in schema.get("required", [])}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [example(schema.get("items", {}), components, local) for _ in range(count)]
    if kind == "integer":
        return int(
            schema.get(
                "minimum", schema.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in schema else 1
            )
        )
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(schema)
    return None


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-11-20"
    if fmt == "date-time":
        return "2026-11-23T09:30:00+08:00"
    if fmt == "uuid":
        return "6f1c2b4e-8d3a-4c5b-9e7f-0a1b2c3d4e5f"
    if "pattern" in schema:
        found = find(
            st.from_regex(schema["pattern"], fullmatch=True),
            lambda _: True,
            settings=settings(database=None, suppress_health_check=list(HealthCheck)),
        )
        return str(found)
    return "测" * max(1, int(schema.get("minLength", 1)))


def minimal_body(op: dict[str, Any], components: dict[str, Any], params: dict[str, str]) -> Any:
    """The smallest valid instance of the operation's JSON request body, aimed at the seeded records."""
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    schema = content["schema"]
    body = _aim(example(schema, components, schema.get("$defs", {})))
    if isinstance(body, dict) and {"from", "to"} <= set(body):
        body.update({"from": params["personkey"], "to": params["other_personkey"]})
    return body


def required_query(op: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """An example of every required query parameter (a reveal's reason…)."""
    return {
        p["name"]: example(p.get("schema", {}), components, {})
        for p in op.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }


def _aim(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("500154" if k in REGION_FIELDS else _aim(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_aim(v) for v in value]
    return value


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if not path.startswith(SKIP_PATHS)
    ]


def expected(service: str, method: str, path: str, caller: str) -> str:
    """What the policy promises: "401", "403", "404", "allowed", "empty" (an empty timeline page)."""
    if "/hotline/" in path:
        return "401"
    if caller == "none":
        return "401"
    record = "{" in path
    if service == "timeline":
        if path == "/api/v1/timeline/projection":
            return "allowed"  # lag figures of the projection: operational, nothing about anybody
        if caller == "no_role":
            return "403"
        if path.endswith("/persons/lookup"):
            return "allowed"
        if caller in ("wrong_program", "other_county", "other_city"):
            if method != "GET":
                return "404"
            return "404" if "/persons/" in path else "empty"
        if caller == "auditor" and method != "GET":
            return "403"
        return "allowed"
    if caller in ("no_role", "wrong_program"):
        return "403"
    if caller in ("other_county", "other_city"):
        if record:
            return "404"
        return "allowed" if method == "GET" and path not in AUDIT_ONLY else "403"
    if path in AUDIT_ONLY:
        return "allowed" if caller == "auditor" else "403"
    if caller == "auditor":
        return "allowed" if method == "GET" else "403"
    if caller == "worker" and SUPERVISOR_ONLY.search(path):
        return "403"
    return "allowed"


def _matches(kind: str, response: httpx.Response) -> bool:
    if kind == "allowed" and response.request.method == "GET":
        return response.status_code == 200
    if kind == "allowed":
        return response.status_code not in (401, 403, 404) and response.status_code < 500
    if kind == "empty":
        return response.status_code == 200 and response.json().get("entries") == []
    return response.status_code == int(kind)


SERVICES = ("child_protection", "timeline", "intake")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_answers_every_caller_as_the_policy_says(live: Live, service: str) -> None:
    base = live.urls[service]
    async with httpx.AsyncClient(base_url=base, timeout=20) as http:
        spec = (await http.get("/openapi.json")).json()
        components = spec.get("components", {}).get("schemas", {})
        ops = operations(spec)
        assert ops, f"{service} publishes no operation"
        wrong: list[str] = []
        answered: dict[int, int] = {}
        for method, path, op in ops:
            body = minimal_body(op, components, live.params)
            query = required_query(op, components)
            url = re.sub(r"\{(\w+)\}", lambda m: live.params[m.group(1)], path)
            for caller, headers in PRINCIPALS.items():
                kind = expected(service, method, path, caller)
                response = await http.request(method, url, json=body, params=query, headers=headers or {})
                if kind == "allowed":
                    answered[response.status_code] = answered.get(response.status_code, 0) + 1
                if not _matches(kind, response):
                    wrong.append(
                        f"{method} {path} as {caller}: expected {kind}, got {response.status_code} "
                        f"{response.text[:160]}"
                    )
                if (
                    caller in ("other_county", "other_city")
                    and method == "GET"
                    and response.status_code == 200
                ):
                    text = json.dumps(response.json(), ensure_ascii=False)
                    if live.params["case"] in text or live.params["child_id"] in text:
                        wrong.append(f"{method} {path} as {caller}: lists 500154's record")
    assert wrong == [], "\n".join(wrong)
    # The allowed calls really went through, most of them, not only refusals of their bodies.
    through = sum(n for status, n in answered.items() if status < 300)
    assert through * 2 >= sum(answered.values()), answered
    print(f"{service}: allowed calls answered {dict(sorted(answered.items()))}")
