"""How actors and person keys are named on pages: names only, short references, never a key."""

from __future__ import annotations

from timeline.domain.names import actor_name, person_key_kind, person_reference


def test_an_actor_is_shown_by_name_without_the_login() -> None:
    assert actor_name("dev:张三（张三）") == "张三"
    assert actor_name("test:caseworker（李社工）") == "李社工"
    assert actor_name(" u-zhang （张社工） ") == "张社工"
    assert actor_name("王主任") == "王主任"
    assert actor_name("system") == "系统"
    assert actor_name("12345") == "12345 热线"
    assert actor_name("auto") == "系统自动分拨"
    assert actor_name("child_protection") == "未成年人保护"
    assert actor_name(None) == "" and actor_name("") == ""


def test_a_person_key_is_referred_to_by_its_last_characters() -> None:
    key = "pk_" + "0" * 58 + "3fa9c2"
    assert person_reference(key) == "3FA9C2"
    assert person_reference("pp_0123456789abcdef0123456789abcdef") == "ABCDEF"
    assert person_key_kind(key) == "身份已核验"
    assert person_key_kind("pp_01") == "临时登记，身份未核实"
    assert person_key_kind("vr-7") == "其他来源"
    assert person_reference("_") == "—"
