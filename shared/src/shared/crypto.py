"""Encryption at rest for single fields such as ID numbers (they never leave their service in clear)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "enc:v1:"


class FieldCipher:
    """Fernet (AES-128-CBC + HMAC) for single fields; values carry a version prefix."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt a stored field: wrong data key?") from exc

    def map_subjects(self, payload: dict[str, Any], fn: str) -> dict[str, Any]:
        """A copy of a body with each subject's `id_number` encrypted or decrypted."""
        convert = self.encrypt if fn == "encrypt" else self.decrypt
        subjects = [
            {**s, "id_number": convert(s.get("id_number"))}
            if isinstance(s, dict) and s.get("id_number")
            else s
            for s in payload.get("subjects") or []
        ]
        return {**payload, "subjects": subjects}
