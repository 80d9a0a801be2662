"""Keys and ciphers from the one master key (``ECONSEC_SECRET_KEY``).

Separate keys are derived with HKDF-SHA256 for each use, so a key serves one purpose only:

* ``documents``: AES-256-GCM for document contents and extracted text at rest (a random 96-bit
  nonce per encryption; the document id and version are bound in as associated data, so a
  ciphertext moved to another row does not decrypt);
* ``search``: HMAC-SHA256 of search terms (a blind index: the database holds no readable word);
* ``audit``: HMAC-SHA256 chaining the audit log (whoever can edit the database cannot recompute
  the chain without the key);
* ``tokens``: HMAC-SHA256 of sign-in tokens as stored.

Outside development econsec refuses to run without a key of at least 32 characters; in
development a fixed, publicly known key is used and said so.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from econsec.errors import ConfigError, DataError
from econsec.settings import Settings

log = logging.getLogger(__name__)
#: Used only when ECONSEC_ENV=development and no key is set. Public: protects nothing.
DEVELOPMENT_KEY = "econsec-development-key-not-secret-do-not-use-in-production"
MIN_KEY_LENGTH = 32
_NONCE = 12


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"econsec", info=purpose.encode()
    ).derive(master)


@dataclass(frozen=True)
class Keys:
    """The derived keys."""

    documents: bytes
    search: bytes
    audit: bytes
    tokens: bytes

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        """AES-256-GCM: nonce + ciphertext + tag, bound to ``context``."""
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.documents).encrypt(nonce, plaintext, context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        """The plaintext of :meth:`encrypt`; a wrong key, context or a changed byte fails."""
        try:
            return AESGCM(self.documents).decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())
        except (InvalidTag, ValueError):
            raise DataError(
                f"stored content of {context} does not decrypt: wrong ECONSEC_SECRET_KEY, or "
                "the row was altered"
            ) from None

    def term(self, word: str) -> str:
        """The blind-index form of a search term."""
        return hmac.new(self.search, word.encode(), hashlib.sha256).hexdigest()[:32]

    def chain(self, previous: str, record: bytes) -> str:
        """The audit chain's next link."""
        return hmac.new(self.audit, previous.encode() + record, hashlib.sha256).hexdigest()

    def token_digest(self, token: str) -> str:
        """How a sign-in token is stored."""
        return hmac.new(self.tokens, token.encode(), hashlib.sha256).hexdigest()


def check_secret(settings: Settings) -> str:
    """The master key, or ConfigError when it is missing or weak outside development."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    if key is None:
        if settings.env != "development":
            raise ConfigError(
                f"ECONSEC_SECRET_KEY is not set and ECONSEC_ENV is {settings.env}: refusing to "
                "run with the public development key; set a random key of at least "
                f"{MIN_KEY_LENGTH} characters (for example: openssl rand -base64 48)"
            )
        return DEVELOPMENT_KEY
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"ECONSEC_SECRET_KEY is shorter than {MIN_KEY_LENGTH} characters")
    if key == DEVELOPMENT_KEY and settings.env != "development":
        raise ConfigError("ECONSEC_SECRET_KEY is the public development key")
    return key


@lru_cache(maxsize=8)
def _keys(master: str) -> Keys:
    raw = master.encode()
    return Keys(
        documents=_derive(raw, "documents"),
        search=_derive(raw, "search"),
        audit=_derive(raw, "audit"),
        tokens=_derive(raw, "tokens"),
    )


def keys(settings: Settings) -> Keys:
    """The derived keys of ``settings`` (checked: see :func:`check_secret`)."""
    master = check_secret(settings)
    if master == DEVELOPMENT_KEY:
        log.warning("using the public development key: documents are not really protected")
    return _keys(master)
