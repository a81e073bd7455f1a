"""Field encryption: Fernet (AES) or SM4-GCM, keys that rotate, values written before rotation still read."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from shared.crypto import FieldCipher, new_key

ID = "110105194912310037"


@pytest.mark.parametrize("algorithm", ["fernet", "sm4"])
def test_a_value_round_trips_and_names_its_algorithm_and_key(algorithm: str) -> None:
    cipher = FieldCipher(new_key(algorithm))
    stored = cipher.encrypt(ID)
    assert stored is not None and ID not in stored
    assert stored.startswith(f"enc:v2:{algorithm}:{cipher.current.kid}:")
    assert cipher.decrypt(stored) == ID
    assert cipher.encrypt(stored) == stored, "an encrypted value is never encrypted twice"
    assert cipher.encrypt(ID) != stored, "a fresh nonce every time"


def test_after_a_rotation_old_values_are_read_and_rewritten_under_the_new_key() -> None:
    old_key, new = Fernet.generate_key().decode(), new_key("sm4")
    before = FieldCipher(old_key)
    stored = before.encrypt(ID)
    assert stored is not None
    rotated = FieldCipher(new, previous=[old_key])
    assert rotated.decrypt(stored) == ID and not rotated.is_current(stored)
    rewritten = rotated.reencrypt(stored)
    assert rotated.is_current(rewritten) and rewritten.startswith("enc:v2:sm4:")
    assert FieldCipher(new).decrypt(rewritten) == ID
    with pytest.raises(ValueError, match="no configured data key"):
        FieldCipher(new).decrypt(stored)


def test_values_of_the_first_format_are_still_read() -> None:
    key = Fernet.generate_key().decode()
    legacy = "enc:v1:" + Fernet(key.encode()).encrypt(ID.encode()).decode()
    assert FieldCipher(key).decrypt(legacy) == ID
    assert FieldCipher(new_key(), previous=[key]).decrypt(legacy) == ID
    with pytest.raises(ValueError):
        FieldCipher(new_key()).decrypt(legacy)


def test_malformed_keys_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError):
        FieldCipher("not-a-key")
    with pytest.raises(ValueError):
        FieldCipher("sm4:abcd")
