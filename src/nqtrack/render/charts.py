"""The report's three charts as SVG, drawn here from the report's data, and as PNG.

One drawing serves both: the dashboard puts the SVG inline (a file:// page that fetches
nothing), the Word report embeds it rasterised to PNG (Word documents written by
python-docx take PNG or JPEG, not SVG). The charts are simple enough that a charting
library would add weight (matplotlib brings numpy, 50 MB) without adding anything; the PNG
comes from resvg (through resvg-py: one self-contained wheel, no system library), the
reference renderer of SVG, imported only when a PNG is made.

- `trend_svg`: the 12-month completion rate (line);
- `states_svg`: the four states of the tasks to carry out, per lead unit (stacked bars);
- `backlog_svg`: the overdue backlog by month of deadline (columns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nqtrack.render.tables import html_text as escape  # user text: escaped, control characters shown

# The colours of the four states, shared with the workbook's native charts.
STATE_COLORS = {"completed_on_time": "#2E7D32", "completed_late": "#F9A825", "in_progress": "#1565C0",
                "overdue": "#C62828"}
TREND_COLOR = "#1565C0"
BACKLOG_COLOR = "#C62828"
GRID = "#D0D7DE"
INK = "#1F2328"
MUTED = "#57606A"

SANS = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
SERIF = "'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif"


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", weight: str = "normal",
          fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>')


def _frame(width: int, height: int, label: str, body: list[str], font: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" font-family="{escape(font)}">'
        f"<title>{escape(label)}</title>"
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trend_svg(points: Sequence[tuple[str, float | None]], label: str, value_text: Callable[[float | None], str],
              *, font: str = SANS, width: int = 720, height: int = 300) -> str:
    """A line of the completion rate, 0–100 %, with each month's value above its point;
    a month without tasks to carry out leaves a gap."""
    left, right, top, bottom = 48, 16, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [_text(left, 22, label, size=15, weight="bold")]
    for step in range(5):
        y = top + plot_h - plot_h * step / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, f"{step * 25}%", size=11, anchor="end", fill=MUTED))
    n = max(len(points), 1)
    xs = [left + plot_w * (i + 0.5) / n for i in range(len(points))]
    segments: list[list[tuple[float, float]]] = [[]]
    for x, (month, rate) in zip(xs, points, strict=True):
        body.append(_text(x, height - bottom + 18, month, size=11, anchor="middle", fill=MUTED))
        if rate is None:
            segments.append([])
            continue
        y = top + plot_h * (1 - min(max(rate, 0.0), 1.0))
        segments[-1].append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{TREND_COLOR}"/>')
        body.append(_text(x, y - 9, value_text(rate), size=11, anchor="middle",
                          extra=f' data-month="{escape(month)}"'))
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            body.insert(1, f'<polyline points="{path}" fill="none" stroke="{TREND_COLOR}" stroke-width="2.5"/>')
    return _frame(width, height, label, body, font)


def states_svg(items: Sequence[tuple[str, dict[str, int]]], states: Sequence[tuple[str, str]], label: str, *,
               font: str = SANS, width: int = 720) -> str:
    """One stacked bar per unit: its tasks to carry out in the four states, the total at
    the end; the legend on top. `states` is (key, translated label) in stacking order."""
    left, right, top, row_h = 240, 40, 64, 26
    height = top + row_h * max(len(items), 1) + 16
    plot_w = width - left - right
    most = max((sum(v.get(k, 0) for k, _ in states) for _, v in items), default=0) or 1
    body = [_text(8, 22, label, size=15, weight="bold")]
    x = 8.0
    for key, name in states:  # the legend
        body.append(f'<rect x="{x:.1f}" y="34" width="12" height="12" fill="{STATE_COLORS[key]}"/>')
        body.append(_text(x + 16, 44, name, size=11))
        x += 28 + 6.2 * len(name)
    for i, (name, counts) in enumerate(items):
        y = top + i * row_h
        body.append(_text(left - 8, y + 15, _short(name, 30), size=12, anchor="end"))
        start = float(left)
        total = 0
        for key, _state in states:
            count = counts.get(key, 0)
            total += count
            if count:
                w = plot_w * count / most
                body.append(f'<rect x="{start:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                            f'fill="{STATE_COLORS[key]}"><title>{escape(name)}: {count}</title></rect>')
                start += w
        body.append(_text(start + 6, y + 15, str(total), size=11, fill=MUTED))
    return _frame(width, height, label, body, font)


def backlog_svg(months: Sequence[tuple[str, int]], label: str, *, font: str = SANS, width: int = 720,
                height: int = 280) -> str:
    """A column for each month of deadline: how many overdue tasks it still holds."""
    left, right, top, bottom = 40, 16, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((count for _, count in months), default=0) or 1
    body = [_text(left, 22, label, size=15, weight="bold")]
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{GRID}"/>')
    n = max(len(months), 1)
    slot = plot_w / n
    bar_w = min(slot * 0.7, 56)
    for i, (month, count) in enumerate(months):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * count / most
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{BACKLOG_COLOR}"/>')
        body.append(_text(x + bar_w / 2, top + plot_h - h - 5, str(count), size=11, anchor="middle"))
        if n <= 12 or i % 2 == 0:
            body.append(_text(x + bar_w / 2, height - bottom + 18, month, size=11, anchor="middle", fill=MUTED))
    return _frame(width, height, label, body, font)


def png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG as a PNG, `scale` times its size (sharp when printed), with the system's fonts."""
    try:
        import resvg_py
    except ImportError:  # pragma: no cover - depends on the installation
        from nqtrack.core.errors import UserError

        raise UserError("Charts as pictures need resvg-py: pip install resvg-py") from None
    data: Any = resvg_py.svg_to_bytes(svg_string=svg, zoom=scale)
    return bytes(data)
