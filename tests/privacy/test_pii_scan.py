"""After the whole suite: no raw ID number and no mobile number on any topic or in any log.

The root conftest runs this module last and sends the logs of in-process apps to a file beside the
stack's process logs, so every line any service wrote during the session is read here.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from stdnum.cn import ric

from pii_scan import Findings, find_pii
from shared.messaging.admin import describe_topics
from shared.stack.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.after_suite]

ID_BODY = "11010120150307123"
PLANTED_ID = ID_BODY + ric.calc_check_digit(ID_BODY + "0")
# Tests before this one must have produced this much for the scan to mean something.
WHOLE_SUITE = 200


def test_the_detector_finds_what_a_leak_would_look_like() -> None:
    assert find_pii(f"身份证号{PLANTED_ID}") == [("id_number", PLANTED_ID)]
    assert find_pii(f"IDno{PLANTED_ID}x") == [("id_number", PLANTED_ID)]
    wrong_check = ID_BODY + ("1" if PLANTED_ID[-1] != "1" else "2")
    assert find_pii(f"证件{wrong_check}") == [("id_number", wrong_check)]
    assert find_pii("tel13800138000。") == [("mobile", "13800138000")]
    assert find_pii("电话１３９１２３４５６７８") == [("mobile", "13912345678")]
    assert find_pii("母亲电话133****5678，身份证110***********1234") == []
    # Our own identifiers are not personal data.
    assert find_pii('"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"') == []
    assert find_pii("event 0192f0e4-1a2b-7c3d-8e4f-139123456780 at 1764662400123") == []


async def _scan_topics(bootstrap: str, findings: Findings) -> None:
    partitions = await describe_topics(bootstrap)
    assigned = [TopicPartition(t, p) for t, count in partitions.items() for p in range(count)]
    if not assigned:
        return
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        consumer.assign(assigned)
        ends = await consumer.end_offsets(assigned)
        await consumer.seek_to_beginning(*assigned)
        pending = {tp for tp in assigned if ends[tp] > 0}
        deadline = time.monotonic() + 120
        while pending:
            assert time.monotonic() < deadline, f"could not read to the end of {sorted(map(str, pending))}"
            batches = await asyncio.wait_for(consumer.getmany(timeout_ms=1000, max_records=2000), 60)
            for tp, records in batches.items():
                for record in records:
                    parts = [record.key or b"", record.value or b""]
                    parts += [k.encode() + b"=" + (v or b"") for k, v in record.headers]
                    text = b"\n".join(parts).decode("utf-8", "replace")
                    findings.add(f"topic:{tp.topic}@{tp.partition}:{record.offset}", text)
                if records and records[-1].offset + 1 >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()


def _scan_logs(logs: Path, findings: Findings) -> None:
    for path in sorted(logs.glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                findings.add(f"log:{path.name}:{number}", line)


async def test_no_raw_id_number_or_phone_on_any_topic_or_in_any_log(
    stack: Stack, request: pytest.FixtureRequest
) -> None:
    findings = Findings()
    await _scan_topics(stack.kafka.bootstrap, findings)
    await asyncio.to_thread(_scan_logs, stack.paths.logs, findings)
    ran_before = sum(1 for item in request.session.items if item.get_closest_marker("after_suite") is None)
    print(f"PII scan: {findings.scanned['topic']} messages, {findings.scanned['log']} log lines")
    if ran_before >= WHOLE_SUITE:
        assert findings.scanned["topic"] > 0 and findings.scanned["log"] > 0, findings.scanned
    assert findings.hits == [], findings.report()
