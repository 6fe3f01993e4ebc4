"""One writer at a time for a file that several runs may rewrite (the master of
``consolida``), and no rewriting of a file open in Excel or LibreOffice.

:func:`exclusive` holds an operating-system lock on ``.NAME.lock`` beside the file for the
whole read-merge-write, so two runs at once never lose each other's values: the second
waits for the first (up to ``wait`` seconds) and then reads what the first wrote. The lock
dies with its process, so a crash leaves no stale lock (the small lock file may stay; it
holds nothing). See docs/security.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UserError

WAIT_SECONDS = 300.0
_POLL = 0.2


class FileBusyError(UserError):
    """The file is open in an office program, or another run keeps it."""


def office_locks(path: Path) -> list[Path]:
    """The owner files Excel (``~$NAME``) and LibreOffice (``.~lock.NAME#``) keep beside a
    file while it is open."""
    return [p for p in (path.with_name(f"~${path.name}"),
                        path.with_name(f".~lock.{path.name}#")) if p.exists()]


def refuse_if_open(path: Path) -> None:
    if found := office_locks(path):
        raise FileBusyError(f"{path}: il file è aperto in Excel o LibreOffice (c'è "
                            f"{found[0].name} accanto): chiuderlo e rilanciare il comando")


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:                       # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def exclusive(path: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of ``path`` (waiting up to ``wait`` seconds for another run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise FileBusyError(f"{path}: un altro «cruscotto» sta scrivendo questo file "
                                    f"da oltre {wait:.0f} secondi: attendere che finisca e "
                                    f"rilanciare il comando")
            time.sleep(_POLL)
        yield
    finally:
        os.close(fd)                          # closing the descriptor releases the lock
