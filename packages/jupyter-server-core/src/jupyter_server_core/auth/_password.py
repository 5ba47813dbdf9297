"""Password hashing: argon2 when available (as jupyter_server writes), salted sha otherwise."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets

__all__ = ["passwd", "passwd_check"]

_SALT_LEN = 12


def passwd(passphrase: str | None = None, algorithm: str = "argon2") -> str:
    """Hash ``passphrase`` (asked for twice on the terminal when None)."""
    if passphrase is None:
        for _ in range(3):
            first = getpass.getpass("Enter password: ")
            second = getpass.getpass("Verify password: ")
            if first == second:
                passphrase = first
                break
            print("Passwords do not match.")
        else:
            raise ValueError("No matching passwords found. Giving up.")
    if algorithm == "argon2":
        try:
            import argon2
        except ImportError:
            algorithm = "sha512"
        else:
            hasher = argon2.PasswordHasher(memory_cost=10240, time_cost=10, parallelism=8)
            return f"argon2:{hasher.hash(passphrase)}"
    salt = secrets.token_hex(_SALT_LEN // 2 * 2)[:_SALT_LEN]
    digest = hashlib.new(algorithm, passphrase.encode("utf-8") + salt.encode("ascii")).hexdigest()
    return f"{algorithm}:{salt}:{digest}"


def passwd_check(hashed_passphrase: str, passphrase: str) -> bool:
    """Whether ``passphrase`` matches ``hashed_passphrase`` (argon2 or ``algo:salt:hex``)."""
    if hashed_passphrase.startswith("argon2:"):
        try:
            import argon2
            import argon2.exceptions
        except ImportError:
            raise RuntimeError(
                "The configured password is an argon2 hash; install argon2-cffi to check it"
            ) from None
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
        computed = hashlib.new(algorithm, passphrase.encode("utf-8") + salt.encode("ascii")).hexdigest()
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, digest)
