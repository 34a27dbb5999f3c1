"""The one writer: everything vending prints passes through `clean`, line by line.

`vending.main` puts a `GuardedStream` in front of standard output and standard error for the
whole run, so no path can forget it (a diff of a hostile file, a git message, click's own usage
errors, a crash report). Each complete line has every secret masked (`pipeline_log.secrets`, in
every encoding) and, under an Azure Pipelines agent, every logging-command marker (`##vso[`,
`##[`) defused wherever it is in the line: the agent scans whole lines for `##vso[`. A partial
line is held back until its end arrives, so a marker split across two writes is still seen (on a
terminal outside a pipeline, where no agent reads, each write passes at once: progress bars redraw
their line without ending it).

Only vending's own logging commands (`reporter`) are written to the stream behind the guard.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from vending import pipeline_log


def printable(text: str) -> str:
    """`text` with every lone surrogate written as its escape (`\\udcff`): a file name that is not UTF-8
    reaches vending surrogate-escaped, and a strict UTF-8 stream (PYTHONIOENCODING=utf-8, a UTF-8 locale
    other than C) would raise on it, a crash of the writer itself."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def clean(text: str, secrets: list[str] | None = None, *, pipeline: bool | None = None) -> str:
    """`text` with secrets masked and, in a pipeline, logging commands defused."""
    text = pipeline_log.redact(printable(text), secrets)
    if pipeline_log.in_pipeline() if pipeline is None else pipeline:
        text = pipeline_log.neutralize(text)
    return text


class GuardedStream(io.TextIOBase):
    """A text stream that writes `clean`ed lines to `raw`."""

    def __init__(self, raw: TextIO, cleaner: Callable[[str], str], *, whole_lines: bool = True) -> None:
        super().__init__()
        self.raw = raw
        self._clean = cleaner
        self._pending = ""
        self._whole_lines = whole_lines
        """False on a terminal outside a pipeline: a progress bar redraws its line without ending it."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "errors", None) or "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click then treats the stream as text, never as binary
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not self._whole_lines:
            self.raw.write(self._clean(text))
            return len(text)
        self._pending += text
        if "\n" in self._pending:
            done, self._pending = self._pending.rsplit("\n", 1)
            self.raw.write("\n".join(self._clean(line) for line in done.split("\n")) + "\n")
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def finish(self) -> None:
        """Write a last line that has no newline, and flush."""
        if self._pending:
            self.raw.write(self._clean(self._pending))
            self._pending = ""
        self.raw.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def trusted(stream: TextIO) -> TextIO:
    """The stream behind the guard: only for vending's own logging commands, built from cleaned parts."""
    return stream.raw if isinstance(stream, GuardedStream) else stream


@contextmanager
def guarded() -> Iterator[None]:
    """Standard output and error behind the guard for the duration of a run."""
    secrets = pipeline_log.secrets()
    pipeline = pipeline_log.in_pipeline()

    def cleaner(line: str) -> str:
        return clean(line, secrets, pipeline=pipeline)

    saved = sys.stdout, sys.stderr
    out, err = (GuardedStream(stream, cleaner, whole_lines=pipeline or not _isatty(stream))
                for stream in (sys.stdout, sys.stderr))
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for stream in (out, err):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
                stream.finish()
