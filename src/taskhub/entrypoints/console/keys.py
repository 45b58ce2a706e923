"""The key that signs the console's session cookies and CSRF tokens.

Every web process must sign with the same key, or a sign-in on one gunicorn worker would be a
stranger on the next. ``TASKHUB_SECRET_KEY`` names it; unset, the embedded SQLite store keeps
one in its data directory (made once, mode 0600, by whichever process starts first), since all
processes on one SQLite file share a machine and that directory. On PostgreSQL, processes may
run on several machines that share no directory: no key can be made there, so the console
stays off (the API is unaffected) until one is set. ``memory://`` is one process: a key of its
own, gone with its data.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from taskhub.settings import Settings, SettingsError
from taskhub.settings.console import MIN_SECRET_KEY_LENGTH

KEY_FILE = "console-secret-key"
NEEDS_A_KEY = (
    "The console needs TASKHUB_SECRET_KEY on PostgreSQL (the same random value of at least "
    "32 characters on every web process); until it is set, /admin/ is off."
)


def secret_key(settings: Settings) -> bytes:
    """The key, as the module says; ``SettingsError`` when there can be none."""
    if given := settings.secret_key.get_secret_value():
        return given.encode()
    if settings.database_kind == "memory":
        return secrets.token_bytes(32)
    if settings.database_kind == "sqlite":
        return kept_key(Path(settings.data_dir) / KEY_FILE)
    raise SettingsError(NEEDS_A_KEY)


def kept_key(path: Path) -> bytes:
    """The key in ``path``, made first if missing. Made whole under another name and linked
    into place, so processes starting together never read half a key, and all read one."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
        finally:
            draft.unlink()
    return _read_own_key(path)


def _read_own_key(path: Path) -> bytes:
    """The key in ``path`` if it is what this process made: a regular file (not a link to
    one), its own, readable by nobody else, and long enough; else ``SettingsError``, since a
    key someone else could plant or read would let them forge sign-ins."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise SettingsError(
            f"{path} cannot be read as the console's key: {error.strerror}."
        ) from None
    with os.fdopen(descriptor, "rb") as kept:
        found = os.fstat(kept.fileno())
        key = kept.read().strip()
    if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid():
        raise SettingsError(f"{path} is not a file of this user's: remove it (a new key is made).")
    if found.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(f"{path} may be read by others: chmod 600 it (it signs sign-ins).")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"{path} holds too short a key: remove it (a new key is made).")
    return key
