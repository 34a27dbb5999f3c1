"""Aligned plain-text tables: the same bytes on a terminal, in a pipe and in a pipeline log."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of a table with two spaces between columns; the last column is not padded."""
    widths = [max(width(cell) for cell in column) for column in zip(headings, *rows, strict=False)]
    lines = []
    for row in [headings, *rows]:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
