"""Encryption at rest for single fields such as ID numbers (they never leave their service in clear).

A key is either a Fernet key (AES-128-CBC with HMAC-SHA256, the default) or `sm4:<32 hex digits>`
(SM4-GCM, GB/T 32907, the national standard). A value is stored as `enc:v2:<algorithm>:<key id>:<token>`,
so keys can rotate: the current key encrypts, every configured previous key still decrypts, and
`casework reencrypt <service>` rewrites stored values under the current key. Values written before
rotation existed (`enc:v1:<fernet token>`) are still read.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PREFIX = "enc:"
V1 = "enc:v1:"
V2 = "enc:v2:"


class KeyAlgorithm(Protocol):
    """One key: a short id (from the key's hash) and the two directions."""

    @property
    def kid(self) -> str: ...

    @property
    def name(self) -> str: ...

    def seal(self, plain: bytes) -> bytes: ...

    def open(self, token: bytes) -> bytes: ...


def _kid(material: bytes) -> str:
    return hashlib.sha256(material).hexdigest()[:8]


@dataclass(frozen=True)
class FernetKey:
    """AES-128-CBC + HMAC-SHA256 (Fernet)."""

    key: str
    name: str = "fernet"

    @property
    def kid(self) -> str:
        return _kid(self.key.encode())

    def seal(self, plain: bytes) -> bytes:
        return Fernet(self.key.encode()).encrypt(plain)

    def open(self, token: bytes) -> bytes:
        return Fernet(self.key.encode()).decrypt(token)


@dataclass(frozen=True)
class Sm4Key:
    """SM4-GCM with a random 96-bit nonce; the token is nonce ‖ ciphertext ‖ tag, base64url."""

    key: bytes
    name: str = "sm4"

    @property
    def kid(self) -> str:
        return _kid(b"sm4:" + self.key)

    def seal(self, plain: bytes) -> bytes:
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(plain) + encryptor.finalize()
        return base64.urlsafe_b64encode(nonce + body + encryptor.tag)

    def open(self, token: bytes) -> bytes:
        raw = base64.urlsafe_b64decode(token)
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, tag)).decryptor()
        return decryptor.update(body) + decryptor.finalize()


def parse_key(text: str) -> KeyAlgorithm:
    """`sm4:<32 hex>` → SM4-GCM; anything else must be a Fernet key."""
    if text.startswith("sm4:"):
        material = bytes.fromhex(text[4:])
        if len(material) != 16:
            raise ValueError("an SM4 key is 16 bytes: sm4:<32 hex digits>")
        return Sm4Key(material)
    Fernet(text.encode())  # refuses a malformed key at start-up, not at the first write
    return FernetKey(text)


class FieldCipher:
    """Encrypts with the current key, decrypts with any configured key; values carry key and algorithm."""

    def __init__(self, key: str, previous: Sequence[str] = ()) -> None:
        self.current = parse_key(key)
        self._keys = {k.kid: k for k in (self.current, *(parse_key(p) for p in previous))}

    @classmethod
    def from_settings(cls, settings: Any) -> FieldCipher:
        """The cipher of a service's settings (`data_key`, `data_keys_previous`)."""
        previous = [k.get_secret_value() for k in getattr(settings, "data_keys_previous", [])]
        return cls(settings.data_key.get_secret_value(), previous)

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(PREFIX):
            return value
        token = self.current.seal(value.encode()).decode()
        return f"{V2}{self.current.name}:{self.current.kid}:{token}"

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            if value.startswith(V1):
                return self._open_v1(value[len(V1) :])
            _, _, name, kid, token = value.split(":", 4)
            key = self._keys.get(kid)
            if key is None or key.name != name:
                raise ValueError(f"no configured data key {name}:{kid} (a retired key still in use?)")
            return key.open(token.encode()).decode()
        except (InvalidToken, ValueError) as exc:
            raise ValueError(f"cannot decrypt a stored field: {exc or 'wrong data key?'}") from exc

    def _open_v1(self, token: str) -> str:
        for key in self._keys.values():
            if isinstance(key, FernetKey):
                try:
                    return key.open(token.encode()).decode()
                except InvalidToken:
                    continue
        raise InvalidToken

    def is_current(self, value: str) -> bool:
        """Whether a stored value is already under the current key (rotation skips it)."""
        return value.startswith(f"{V2}{self.current.name}:{self.current.kid}:")

    def reencrypt(self, value: str) -> str:
        """The same plaintext under the current key."""
        plain = self.decrypt(value)
        assert plain is not None
        encrypted = self.encrypt(plain)
        assert encrypted is not None
        return encrypted

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


def new_key(algorithm: str = "fernet") -> str:
    """A fresh data key for `INTAKE_DATA_KEY` and the like (`casework crypto new-key`)."""
    if algorithm == "sm4":
        return "sm4:" + os.urandom(16).hex()
    return Fernet.generate_key().decode()
