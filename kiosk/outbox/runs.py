"""Which kiosk runs on a data folder are still alive: one lock file per run, held while it lives.

The kiosk and a CLI command may open the same outbox at once. Work a run leaves unfinished (an issue
request still waiting for its answer) may be taken over by another run only once the first has ended;
``RunLock`` tells the two apart. A run locks its file (``flock``) before the file can be seen under its
name, and the kernel lets go of the lock when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from pathlib import Path


class RunLock:
    def __init__(self, folder: Path, run: str | None = None):
        self.folder = Path(folder)
        self.run = run or str(uuid.uuid4())
        self.folder.mkdir(mode=0o700, exist_ok=True)
        fresh = self.folder / f"{self.run}.new"
        self._handle = open(fresh, "ab")
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            fresh.replace(self.folder / self.run)  # seen by others only once locked
        except OSError:
            self._handle.close()
            raise

    def alive(self, run: str) -> bool:
        """Whether ``run`` still holds its lock (a run without a lock file has ended)."""
        if run == self.run:
            return not self._handle.closed
        try:
            fd = os.open(self.folder / run, os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def forget_ended(self, keep: set[str]) -> None:
        """Remove the lock files of ended runs, except those in ``keep`` (they still left work)."""
        for path in self.folder.iterdir():
            if path.name != self.run and path.name not in keep and not path.name.endswith(".new") \
                    and not self.alive(path.name):
                try:
                    path.unlink()
                except OSError:
                    pass

    def release(self) -> None:
        self._handle.close()
