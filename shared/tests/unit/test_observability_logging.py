"""Masking rules and the structlog/stdlib JSON pipeline."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from stdnum.cn import ric

from shared.masking import mask_text, mask_value
from shared.observability.logging import _StdoutHandler, configure_logging
from shared.observability.tracing import configure_tracing, get_tracer

BASE = "11010519491231003"
BASE_X = "11010519491231002"


def id_number(base: str = BASE) -> str:
    """A valid synthetic 18-character ID number."""
    return base + ric.calc_check_digit(base + "0")


def masked_id(number: str) -> str:
    """The expected mask: first 3 and last 4 kept, same length."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_id_numbers_are_masked_keeping_three_and_four() -> None:
    number, with_x = id_number(), id_number(BASE_X)
    assert with_x.endswith("X")
    old_style = BASE[:6] + BASE[8:14] + "123"

    assert mask_text(f"id {number} ok") == f"id {masked_id(number)} ok"
    assert mask_text(with_x.lower()) == masked_id(with_x.lower())
    assert mask_text(old_style) == masked_id(old_style)
    assert len(masked_id(number)) == 18


def test_numbers_next_to_chinese_text_are_masked() -> None:
    number = id_number()
    text = f"身份证号{number}，电话13812345678。"
    assert mask_text(text) == f"身份证号{masked_id(number)}，电话138****5678。"


def test_longer_digit_runs_are_untouched() -> None:
    order_number = "2024" + BASE[:16]
    assert len(order_number) == 20
    assert mask_text(f"order {order_number}") == f"order {order_number}"
    assert mask_text(BASE[:16]) == BASE[:16]
    assert mask_text("138123456789") == "138123456789"


def test_mobile_numbers_are_masked() -> None:
    assert mask_text("13812345678") == "138****5678"
    assert mask_text("call +8613812345678 now") == "call +86138****5678 now"
    assert mask_text("12812345678") == "12812345678"


def test_person_name_keys_keep_only_the_first_character() -> None:
    assert mask_value("name", "张三丰") == "张**"
    assert mask_value("caller_name", "李四") == "李*"
    assert mask_value("Guardian_Name", "王五") == "王*"
    assert mask_value("service_name", "intake") == "intake"
    assert mask_value("region_name", "朝阳区") == "朝阳区"
    assert mask_value("topic_name", "cases.case") == "cases.case"


def test_number_keys_are_masked_whatever_their_shape() -> None:
    assert mask_value("id_number", "ABC123456") == "ABC**3456"
    assert mask_value("phone", "010-12345678") == "010*****5678"
    assert mask_value("guardian_phone", 13812345678) == "138****5678"
    assert mask_value("mobile", "+8613812345678") == "+86138****5678"
    assert mask_value("subject_id_number", id_number()) == masked_id(id_number())


def test_nested_values_are_masked() -> None:
    number = id_number()
    value = {"people": [{"name": "张三", "note": f"证件 {number}"}], "count": 2, "ok": True}
    assert mask_value("payload", value) == {
        "people": [{"name": "张*", "note": f"证件 {masked_id(number)}"}],
        "count": 2,
        "ok": True,
    }
    assert mask_value("reporter_name", ["张三", "李四"]) == ["张*", "李*"]


def test_trace_ids_are_never_masked() -> None:
    trace_id = "123456789012345678abcdefabcdefab"
    assert mask_value("trace_id", trace_id) == trace_id


@pytest.mark.usefixtures("restore_logging")
def test_structlog_event_is_masked_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("intake")
    number = id_number()

    structlog.get_logger().info(f"call from {number}", caller_name="张三", phone="13812345678", case_id=7)

    (line,) = json_lines(capsys.readouterr().out)
    assert line["event"] == f"call from {masked_id(number)}"
    assert line["caller_name"] == "张*"
    assert line["phone"] == "138****5678"
    assert line["case_id"] == 7
    assert line["service"] == "intake"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert number not in capsys.readouterr().out


@pytest.mark.usefixtures("restore_logging")
def test_stdlib_records_go_through_the_same_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("intake")
    number = id_number()

    logging.getLogger("aiokafka").warning("bad key %s for 13812345678", number)

    (line,) = json_lines(capsys.readouterr().out)
    assert line["event"] == f"bad key {masked_id(number)} for 138****5678"
    assert line["level"] == "warning"
    assert line["logger"] == "aiokafka"
    assert line["service"] == "intake"


@pytest.mark.usefixtures("restore_logging")
def test_exceptions_are_rendered_and_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("intake")
    number = id_number()

    try:
        raise ValueError(f"unknown person {number}")
    except ValueError:
        logging.getLogger("shared.test").exception("lookup_failed")

    (line,) = json_lines(capsys.readouterr().out)
    assert "ValueError: unknown person " + masked_id(number) in line["exception"]


@pytest.mark.usefixtures("restore_logging")
def test_configure_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("intake", "DEBUG")
    configure_logging("intake", "INFO")

    structlog.get_logger().info("case_created")
    structlog.get_logger().debug("dropped_below_level")

    assert [line["event"] for line in json_lines(capsys.readouterr().out)] == ["case_created"]
    assert sum(isinstance(h, _StdoutHandler) for h in logging.getLogger().handlers) == 1


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_inside_a_span_carry_its_ids(capsys: pytest.CaptureFixture[str]) -> None:
    configure_tracing("intake", None, exporter=InMemorySpanExporter())
    configure_logging("intake")

    with get_tracer(__name__).start_as_current_span("handle") as span:
        structlog.get_logger().info("inside")
        logging.getLogger("uvicorn.error").info("stdlib inside")
    structlog.get_logger().info("outside")

    inside, stdlib_inside, outside = json_lines(capsys.readouterr().out)
    context = span.get_span_context()
    for line in (inside, stdlib_inside):
        assert line["trace_id"] == f"{context.trace_id:032x}"
        assert line["span_id"] == f"{context.span_id:016x}"
    assert "trace_id" not in outside


def test_numbers_next_to_ascii_letters_and_full_width_numbers_are_masked() -> None:
    number = BASE + ric.calc_check_digit(BASE + "0")
    wide_mobile = "１３８１２３４５６７８"
    assert mask_text(f"IDno{number}x") == f"IDno{masked_id(number)}x"
    assert mask_text("tel13812345678,") == "tel138****5678,"
    assert mask_text("call+8613812345678now") == "call+86138****5678now"
    assert mask_text(f"电话{wide_mobile}") == "电话１３８****５６７８"
    wide_id = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert mask_text(f"证件{wide_id}") == f"证件{wide_id[:3]}{'*' * 11}{wide_id[-4:]}"
