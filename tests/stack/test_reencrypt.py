"""Key rotation on a real database: every encrypted value, in text and inside JSONB, moves to the new key."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from infra import recreate_database
from shared.crypto import FieldCipher, new_key
from shared.stack.reencrypt import reencrypt
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
ID = "110105194912310037"


async def test_reencrypt_moves_every_value_to_the_current_key_and_can_run_again(stack: Stack) -> None:
    db = await recreate_database(stack, "reencrypt_test")
    old = FieldCipher(Fernet.generate_key().decode())
    await db.execute("CREATE TABLE person (id int PRIMARY KEY, id_number text, file jsonb)")
    for i in range(3):
        file = {"subjects": [{"name": "张三", "id_number": old.encrypt(ID)}], "note": "plain"}
        await db.execute(
            "INSERT INTO person VALUES ($1, $2, $3::jsonb)", i, old.encrypt(f"{ID}-{i}"), json.dumps(file)
        )
    await db.execute("INSERT INTO person VALUES (9, 'not encrypted', '{}'::jsonb)")
    current = FieldCipher(new_key("sm4"), previous=[old.current.key])  # type: ignore[attr-defined]

    assert await reencrypt(db.url, current) == {"person.id_number": 3, "person.file": 3}
    assert await reencrypt(db.url, current) == {}
    numbers = await db.fetchcol("SELECT id_number FROM person ORDER BY id")
    assert [current.decrypt(str(n)) for n in numbers[:3]] == [f"{ID}-{i}" for i in range(3)]
    assert all(str(n).startswith("enc:v2:sm4:") for n in numbers[:3]) and numbers[3] == "not encrypted"
    files = await db.fetchcol("SELECT file::text FROM person WHERE id < 9")
    for text in files:
        subject = json.loads(str(text))["subjects"][0]
        assert current.is_current(subject["id_number"]) and current.decrypt(subject["id_number"]) == ID
