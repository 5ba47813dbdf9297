"""Password hashing: argon2 by default (as jupyter_server writes), salted hashlib digests too."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import secrets
from typing import Any

__all__ = ["passwd", "passwd_check", "persist_hashed_password"]

_SALT_LEN = 12


def passwd(passphrase: str | None = None, algorithm: str = "argon2") -> str:
    """Hash ``passphrase`` for ``IdentityProvider.hashed_password``.

    None asks on the terminal (twice, three attempts). ``algorithm`` is ``"argon2"``
    (``argon2:$argon2id$...``) or any hashlib name, stored as ``algo:salt:hex``.
    Raises ValueError when no password could be read.
    """
    secret = _ask_on_terminal() if passphrase is None else passphrase
    if algorithm == "argon2":
        return _argon2_hash(secret)
    salt = secrets.token_hex(_SALT_LEN // 2)
    return f"{algorithm}:{salt}:{_salted_digest(algorithm, salt, secret)}"


def _ask_on_terminal(attempts: int = 3) -> str:
    for _ in range(attempts):
        try:
            entered = getpass.getpass("Enter password: ")
            repeated = getpass.getpass("Verify password: ")
        except EOFError:
            raise ValueError("no password given: the input ended before one was typed") from None
        if entered == repeated:
            return entered
        print("The two entries differ; once more.")
    raise ValueError(f"the two entries differed {attempts} times; nothing was changed")


def _argon2_hash(secret: str) -> str:
    """``argon2:<argon2id hash>`` (argon2-cffi is imported on first use only)."""
    import argon2

    hasher = argon2.PasswordHasher(memory_cost=10240, time_cost=10, parallelism=8)
    return f"argon2:{hasher.hash(secret)}"


def _salted_digest(algorithm: str, salt: str, secret: str) -> str:
    return hashlib.new(algorithm, secret.encode("utf-8") + salt.encode("ascii")).hexdigest()


def passwd_check(hashed_passphrase: str, passphrase: str) -> bool:
    """Whether ``passphrase`` matches ``hashed_passphrase`` (argon2 or ``algo:salt:hex``)."""
    if hashed_passphrase.startswith("argon2:"):
        import argon2
        import argon2.exceptions

        try:
            return bool(argon2.PasswordHasher().verify(hashed_passphrase[len("argon2:"):], passphrase))
        except argon2.exceptions.VerificationError:
            return False
        except argon2.exceptions.InvalidHashError:
            return False
    try:
        algorithm, salt, digest = hashed_passphrase.split(":", 2)
    except ValueError:
        return False
    try:
        computed = _salted_digest(algorithm, salt, passphrase)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, digest)


def persist_hashed_password(hashed: str, config_dir: str) -> str:
    """Store ``hashed`` as ``IdentityProvider.hashed_password`` in ``config_dir``'s
    ``jupyter_server_config.json`` (other settings kept; mode 0600); return the file's path.

    Raises ValueError when the existing file is not a JSON object, rather than lose it.
    """
    path = os.path.join(config_dir, "jupyter_server_config.json")
    data: dict[str, Any] = {}
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except ValueError:
            data = None  # type: ignore[assignment]
        if not isinstance(data, dict):
            raise ValueError(f"{path} is not a JSON object; fix or remove it first")
    data.setdefault("IdentityProvider", {})["hashed_password"] = hashed
    data.get("ServerApp", {}).pop("password", None)
    os.makedirs(config_dir, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_TRUNC
    return path
