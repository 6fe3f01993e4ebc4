"""Replace a file atomically, keeping a bounded number of timestamped backups.

Used wherever an existing workbook is rewritten (``ricalcola``, the master of
``consolida``): write the new content to a temporary file in the same folder, copy the
old file to ``NAME.AAAAMMGG-HHMMSS-ffffff.bak`` (under a temporary name until the copy
is whole), then ``os.replace``. A failure before the
replace leaves the original untouched and removes the temporary file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

KEEP_BACKUPS = 5

#: The folder, beside a returned workbook, that holds the copies ``firma`` keeps: inside
#: the same folder (same disk and permissions, so the copy and the rename stay atomic;
#: nothing is written outside the folder the user named), and a folder whose name starts
#: with a dot, which the readers of a returns folder never open (they read its files, not
#: its subfolders, and skip dot names). A backup beside the signed file would be one more
#: workbook of the same office in the folder ``consolida`` reads (docs/security.md).
BACKUP_FOLDER = ".cruscotto-copie"


def temp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


_STAMP = re.compile(r"\.\d{8}-\d{6}-\d{6}\.bak$")


def backups(path: Path, folder: Path | None = None) -> list[Path]:
    """Our backups of ``path`` (``NAME.AAAAMMGG-HHMMSS-ffffff.bak``) in ``folder`` (by
    default beside it), oldest first."""
    pattern = re.sub(r"([\[\]*?])", r"[\1]", path.name) + ".*.bak"
    where = path.parent if folder is None else folder
    return sorted(p for p in where.glob(pattern)
                  if _STAMP.search(p.name) and p.name.startswith(path.name))


def replace_with_backup(tmp: Path, path: Path, keep: int = KEEP_BACKUPS,
                        folder: Path | None = None) -> Path | None:
    """Move ``tmp`` over ``path``; back ``path`` up first when it exists, in ``folder``
    (created when missing; by default beside ``path``)."""
    backup = None
    if path.exists():
        shutil.copymode(path, tmp)        # mkstemp makes 0600; keep who could open it
    else:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
    if path.exists() and keep > 0:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        where = path.parent if folder is None else folder
        where.mkdir(exist_ok=True)
        backup = where / f"{path.name}.{stamp}.bak"
        # Copied under a temporary name, renamed when whole: a copy cut short (disk full)
        # never becomes a backup counted among the ones kept (docs/security.md).
        partial = temp_beside(backup)
        try:
            shutil.copy2(path, partial)
            os.replace(partial, backup)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        for stale in backups(path, where)[:-keep]:
            stale.unlink(missing_ok=True)
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return backup


def write_atomically(path: Path, write: Callable[[Path], object],
                     keep: int = KEEP_BACKUPS) -> Path | None:
    """Call ``write(tmp)`` then replace ``path`` with it; returns the backup made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path)
    try:
        write(tmp)
        return replace_with_backup(tmp, path, keep)
    except BaseException:           # any failure, even Ctrl-C: no temporary file is left
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A staging folder beside ``folder``: what is written there enters ``folder`` only
    when the block ends without error (all files or none, for a whole output folder).

    A new ``folder`` is the staging folder renamed (one atomic step); into an existing
    one the files are moved one by one, each with ``os.replace``, after all were written.
    On any failure, Ctrl-C included, the staging folder is removed and ``folder`` is as
    it was.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".parziale",
                                  dir=folder.parent))
    try:
        yield stage
        if not folder.exists():
            umask = os.umask(0)
            os.umask(umask)
            stage.chmod(0o777 & ~umask)     # mkdtemp makes 0700
            os.rename(stage, folder)
            return
        for item in sorted(stage.rglob("*")):
            if item.is_file():
                target = folder / item.relative_to(stage)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
