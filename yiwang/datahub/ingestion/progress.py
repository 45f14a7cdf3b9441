"""Progress of an uploaded file's batch, written outside its transaction so that the console can show it.

A batch's own row only changes when its transaction commits; progress goes to a small JSON file under
MEDIA_ROOT (shared storage when the web and worker processes run on different machines).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings


def _path(token: str) -> Path:
    directory = Path(settings.MEDIA_ROOT) / "datahub" / "progress"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{token}.json"


def progress_write(token: str, **state: Any) -> None:
    """Record how far an upload has come (atomically replaced, so a reader never sees half a file)."""
    target = _path(token)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps({**state, "at": time.time()}, ensure_ascii=False), encoding="utf-8")
    temporary.replace(target)


def progress_read(token: str) -> dict[str, Any] | None:
    """The last progress written for an upload, or None."""
    try:
        data: dict[str, Any] = json.loads(_path(token).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def progress_clear(token: str) -> None:
    """Forget an upload's progress."""
    _path(token).unlink(missing_ok=True)


class PhaseClock:
    """Seconds spent in each phase of a batch (read, check, stage, merge…), for the log and the benchmarks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started

    def summary(self) -> str:
        """One line such as `read 1.2 s, check 3.4 s`."""
        return ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in self.seconds.items())
