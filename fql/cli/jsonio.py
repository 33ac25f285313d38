"""JSON Lines for the command line: one reader, one writer, one policy for bad lines.

Reading and writing go through :mod:`fql.jsontext` (orjson where it is exact, the
standard library where it is not: integers of any size and floats are kept exactly).

The policy, the same for ``fql filter``, ``map``, ``route`` and ``eval``: a bad line
(not UTF-8, malformed, nested too deeply, not an object, or an event the rule cannot read)
is reported on stderr as ``FILE:LINE: invalid line: CODE reason``, in the project's
wording whichever parser ran; it is counted in the summary, written to the command's
dropped/rejected output when it has one, and the stream goes on (``--fail-fast`` stops
it where a command offers that). Blank lines are not events and are not counted.

A progress bar (lines, rate, elapsed time and, for files, the share of bytes read) is
drawn on stderr when stderr is a terminal.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .. import FqlError
from ..jsontext import FqlJsonError, dumps, loads, loads_event

__all__ = ["FqlJsonError", "Progress", "Stream", "Writer", "dumps", "input_lines",
           "is_terminal", "loads", "loads_event", "missing_input"]


def input_lines(inputs: Sequence[Path]) -> Iterator[tuple[str, int, bytes]]:
    """``(file name, line number, raw line)`` of JSON Lines files, or of stdin when there
    are none; streamed. Bytes, so a line that is not UTF-8 is one invalid line (the
    parsers reject it) rather than the end of the run."""
    if not inputs:
        for number, line in enumerate(sys.stdin.buffer, start=1):
            yield "<stdin>", number, line
        return
    for path in inputs:
        if is_stdin(path):
            for number, line in enumerate(sys.stdin.buffer, start=1):
                yield "<stdin>", number, line
            continue
        name = str(path)
        with path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                yield name, number, line


def missing_input(inputs: Sequence[Path]) -> Path | None:
    """The first input that does not exist (or is a directory), checked before any
    output is written, so a typo in the last file name does not leave half a result.
    Special files are inputs like any other: ``/dev/null``, a named pipe, a shell's
    process substitution (``<(...)``), ``-`` for stdin."""
    return next((p for p in inputs if not is_stdin(p) and (not p.exists() or p.is_dir())),
                None)


def is_stdin(path: Path) -> bool:
    """``-`` names the standard input, as in every Unix tool."""
    return str(path) == "-"


class Writer:
    """Lines to a text stream, or to its byte buffer when it has one, so a kept input
    line can be written as the very bytes that were read."""

    def __init__(self, stream: TextIO | BinaryIO) -> None:
        self._text: TextIO | None = None
        self._bytes: BinaryIO | None = None
        buffer = getattr(stream, "buffer", None)
        if isinstance(stream, (io.BufferedIOBase, io.RawIOBase)):
            self._bytes = stream
        elif buffer is not None:
            stream.flush()
            self._bytes = buffer
        else:
            self._text = stream  # type: ignore[assignment]  # no byte buffer: a text stream

    def raw(self, line: bytes) -> None:
        """One input line, unchanged (a newline added if it had none)."""
        if not line.endswith(b"\n"):
            line += b"\n"
        if self._bytes is not None:
            self._bytes.write(line)
        else:
            assert self._text is not None
            self._text.write(line.decode("utf-8", "surrogateescape"))

    def text(self, text: str) -> None:
        """One line of text already serialised."""
        if self._bytes is not None:
            self._bytes.write(text.encode("utf-8") + b"\n")
        else:
            assert self._text is not None
            self._text.write(text + "\n")

    def json(self, value: Any) -> None:
        """One value as compact JSON (:func:`fql.jsontext.dumps`)."""
        text = dumps(value) + "\n"
        if self._bytes is not None:
            self._bytes.write(text.encode("utf-8"))
        else:
            assert self._text is not None
            self._text.write(text)

    def flush(self) -> None:
        """Push buffered output to the underlying stream, so a reader of a pipe sees each batch
        as soon as it is complete.
        """
        if self._bytes is not None:
            self._bytes.flush()
        elif self._text is not None:
            self._text.flush()


class Progress:
    """One line on stderr, redrawn every few thousand lines: count, rate, elapsed time,
    and the share of the total (input bytes, or files) when it is known."""

    WIDTH = 30
    EVERY = 4096  # lines between redraws: drawing is cheap, but not per line

    def __init__(self, stream: TextIO, total: int | None, *, unit: str = "lines",
                 every: int = EVERY) -> None:
        self.stream = stream
        self.total = total
        self.unit = unit
        self.every = every
        self.done = self.lines = 0
        self.start = time.monotonic()

    def advance(self, amount: int) -> None:
        """One more line (or file) done, ``amount`` more of the total."""
        self.done += amount
        self.lines += 1
        if self.lines % self.every == 0:
            self.draw()

    def draw(self) -> None:
        """Redraw the progress line in place (carriage return, no newline): count, rate,
        elapsed time and, when the total is known, a bar with the share done.
        """
        elapsed = max(time.monotonic() - self.start, 1e-9)
        unit = self.unit
        text = f"{self.lines:,} {unit}, {self.lines / elapsed:,.0f} {unit}/s, {elapsed:.1f} s"
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = int(share * self.WIDTH)
            text = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%} {text}"
        self.stream.write("\r" + text)
        self.stream.flush()

    def close(self) -> None:
        """Erase the progress line so the summary printed next starts on a clean line."""
        self.stream.write("\r\x1b[K")  # leave the line to the summary


class Stream:
    """The events of JSON Lines input, with the policy of the module doc.

    Iterate :meth:`events` for ``(file, line number, raw line, event)`` of every good
    line; call :meth:`reject` for a line a rule could not read. ``read`` counts the
    non-blank lines, ``invalid`` the bad ones."""

    def __init__(self, inputs: Sequence[Path], err: TextIO, *,
                 rejected: Writer | None = None, fail_fast: bool = False,
                 progress: bool = True,
                 partial: Callable[[bytes], dict[str, Any] | None] | None = None) -> None:
        """``partial``: a decoder of only the fields the command's rule reads
        (:meth:`fql.jsontext.FieldDecoder.decode`); a line it cannot answer for
        exactly (it returns None) is decoded in full."""
        self.partial = partial
        self.inputs = inputs
        self.err = err
        self.rejected = rejected
        self.fail_fast = fail_fast
        self.read = self.invalid = 0
        self.stopped = False
        self.progress: Progress | None = None
        if progress and is_terminal(err):
            total = sum(p.stat().st_size for p in inputs if not is_stdin(p)) \
                if inputs else None
            self.progress = Progress(err, total)

    def lines(self) -> Iterator[tuple[str, int, bytes]]:
        """``(file, line number, raw line)`` of every non-blank line, for a command that
        hands the bytes to a ``*_json`` entry point and reports what it raises with
        :meth:`reject`."""
        progress = self.progress
        for name, number, line in input_lines(self.inputs):
            if progress is not None:
                progress.advance(len(line))
            if not line.strip():
                continue
            self.read += 1
            yield name, number, line
            if self.stopped:
                return

    def events(self) -> Iterator[tuple[str, int, bytes, dict[str, Any]]]:
        """``(file, line number, raw line, event)`` of every line that is a JSON object;
        the others are rejected. (The loop of :meth:`lines`, written out: this is the
        per-line path of every command.)"""
        progress = self.progress
        partial = self.partial
        for name, number, line in input_lines(self.inputs):
            if progress is not None:
                progress.advance(len(line))
            if not line.strip():
                continue
            self.read += 1
            event = partial(line) if partial is not None else None
            if event is None:
                try:
                    event = loads_event(line)
                except FqlJsonError as exc:
                    self.reject(name, number, line, exc)
                    if self.stopped:
                        return
                    continue
            yield name, number, line, event
            if self.stopped:
                return

    def reject(self, name: str, number: int, line: bytes, exc: FqlError) -> None:
        """Report one bad line (see the module doc); stops the stream with fail-fast."""
        self.invalid += 1
        reason = f"{exc.code} {exc.message}"
        if self.progress is not None:
            self.err.write("\r\x1b[K")
        print(f"{name}:{number}: invalid line: {reason}", file=self.err)
        if self.rejected is not None:
            self.rejected.json({"file": name, "line": number, "reason": "invalid line",
                                "error": reason,
                                "text": line.rstrip(b"\r\n").decode("utf-8", "replace")})
        if self.fail_fast:
            self.stopped = True

    def close(self) -> None:
        """Finish the input: erase the progress line, if one is drawn."""
        if self.progress is not None:
            self.progress.close()


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal (progress bars and colours only go there);
    a stream without ``isatty`` or already closed counts as not one.
    """
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
