"""Writing an output file (an export, a report) so that a reader never sees half of it.

The file is written under a hidden temporary name beside its destination and moved into place when complete.
Three things a user would otherwise notice:
- the file gets the permissions any program of theirs would give it (their umask), not the 0600 of a
  private temporary file;
- a failed or interrupted write (an error, Ctrl+C, SIGTERM turned into an exit by the command line) removes
  its temporary file on the way out;
- a write killed outright (SIGKILL, a power cut) cannot clean up after itself, so the next write to the same
  destination removes what such a dead writer left. Temporary names carry the writer's process id, which
  tells a dead writer's leftovers from a live one's.
"""

from __future__ import annotations

import errno
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_NEW_FILE_MODE = 0o666
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}  # the errors of an output that does not fit  # the system takes the umask off, as it does for any file a program creates


def _temp_prefix(out: Path) -> str:
    return f".{out.name}."


def _create_temp(out: Path, suffix: str) -> Path:
    """A new empty file beside `out`, created with the umask applied and named after this process."""
    while True:
        tmp = out.parent / f"{_temp_prefix(out)}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE))
            return tmp
        except FileExistsError:
            continue


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _remove_dead_writers_files(out: Path, suffix: str) -> None:
    """Delete temporary files for `out` left by writers that were killed before they could clean up."""
    prefix = _temp_prefix(out)
    try:
        names = [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(suffix)]
    except OSError:
        return
    for path in names:
        pid_text = path.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            path.unlink(missing_ok=True)


@contextmanager
def atomic_path(out: str | Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `out` that replaces `out` only when the block finishes without error.

    Whatever ends the block early (an exception, KeyboardInterrupt, SystemExit) deletes the temporary file."""
    out = Path(out)
    suffix = suffix or ".tmp"
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_writers_files(out, suffix)
    tmp = _create_temp(out, suffix)
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        # a failed write() names no file; the user must learn which output did not fit, not only that one didn't
        if exc.errno in _FULL and exc.filename is None:
            exc.filename = str(out)
        raise
    finally:
        tmp.unlink(missing_ok=True)  # gone already when the replace succeeded
