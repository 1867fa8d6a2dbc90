"""Personal data at rest: MultiFernet field encryption and keyed-hash blind indexes.

Keys come from the environment (see portal.config). The first Fernet key encrypts; every key decrypts,
so a new key can be put in front, `frontdoor keys rotate` re-encrypts, and the old key is then removed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class KeyringNotConfigured(RuntimeError):
    pass


class Keyring:
    """The process's encryption keys. Configured once at start-up by the app factory or the CLI."""

    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None
        self._index_key: bytes | None = None

    def configure(self, fernet_keys: list[str], index_key: str) -> None:
        if not fernet_keys or not all(k.strip() for k in fernet_keys):
            raise KeyringNotConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key")
        if len(index_key) < 32:
            raise KeyringNotConfigured("BLIND_INDEX_KEY must be at least 32 characters")
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in fernet_keys])
        self._index_key = index_key.encode()

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise KeyringNotConfigured("field encryption keys are not configured")
        return self._fernet

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def blind_index(self, kind: str, value: str) -> str:
        """A keyed hash of a normalised value, so equal values can be found without decrypting."""
        if self._index_key is None:
            raise KeyringNotConfigured("blind index key is not configured")
        normal = normalise_for_index(value)
        return hmac.new(self._index_key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()[:32]


def normalise_for_index(value: str) -> str:
    """Case, accents, spaces and punctuation do not make two values different."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


keyring = Keyring()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedText(TypeDecorator[str]):
    """A text column whose value is Fernet-encrypted before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring.decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """Any JSON-serialisable value, encrypted as one token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring.encrypt(json.dumps(value, separators=(",", ":"), sort_keys=True, default=str))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(keyring.decrypt(value))


__all__ = ["EncryptedJSON", "EncryptedText", "InvalidToken", "Keyring", "generate_key", "keyring"]
