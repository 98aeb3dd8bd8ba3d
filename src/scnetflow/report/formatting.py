"""Number formatting and HTML building blocks of the report: tables, figures with captions, notes.

Numbers are written for people: counts exactly with thousands separators (``12,345``), other numbers
to 3 significant digits (``0.694``, ``56.4``, ``1,230``, ``1.2e-05``), durations (keys or columns
named ``seconds``/``*_seconds``/``seconds_*``) as ``m:ss`` (``h:mm:ss`` from an hour).
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: keys/columns holding durations in seconds.
_SECONDS = re.compile(r"(^|_)seconds($|_)|_s$")


def esc(x) -> str:
    return html.escape(str(x))


def is_seconds(key: str | None) -> bool:
    """Whether a key or column name holds a duration in seconds (``seconds``, ``seconds_total``, ``train_s``)."""
    return bool(key) and bool(_SECONDS.search(str(key)))


def mmss(seconds: float) -> str:
    """A duration as ``m:ss`` (``0:56``, ``12:05``), ``h:mm:ss`` from an hour; under a second ``0.247 s``
    (``0:00`` would say nothing about per-epoch times)."""
    if abs(seconds) < 1:
        return f"{sig3(float(seconds))} s"
    s = int(round(float(seconds)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def sig3(v: float) -> str:
    """A number to 3 significant digits with thousands separators (``0.694``, ``56.4``, ``1,230``)."""
    if v == 0:
        return "0"
    a = abs(v)
    if a < 1e-3 or a >= 1e15:
        return f"{v:.3g}"
    exp = math.floor(math.log10(a))
    r = round(v, 2 - exp)
    if r != 0 and abs(r) >= 10 ** (exp + 1):  # 9.996 rounds up to 10.0: one decimal fewer
        exp += 1
    return f"{r:,.{max(0, 2 - exp)}f}"


def fmt(v, key: str | None = None) -> str:
    """One value for a table cell: ``n/a`` for missing, counts exact, floats to 3 significant digits,
    seconds as ``m:ss``, anything else as text."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return "n/a"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, numbers.Number):
        if is_seconds(key):
            return mmss(v)
        if isinstance(v, numbers.Integral):
            return f"{int(v):,}"
        v = float(v)
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v.is_integer() and abs(v) < 1e15:  # counts stored as floats (a column with a missing value)
            return f"{int(v):,}"
        return sig3(v)
    return str(v)


def table(df: pd.DataFrame, *, max_rows: int = 30, cls: str | None = None, headers: dict[str, str] | None = None,
          html_cols: Sequence[str] = ()) -> str:
    """A table as escaped HTML with every cell formatted by :func:`fmt` (its column name as the key).

    ``headers`` renames columns for display; ``html_cols`` are inserted unescaped (built by the caller).
    """
    shown = df.head(max_rows)
    head = "".join(f"<th>{esc((headers or {}).get(c, c))}</th>" for c in shown.columns)
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(shown.columns, rec):
            text = str(v) if c in html_cols else esc(fmt(v, c))
            num = isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_)) and c not in html_cols
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    klass = f' class="{cls}"' if cls else ""
    out = f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    if len(df) > max_rows:
        out += f"<p>{len(df) - max_rows:,} more rows not shown.</p>"
    return out


def kv_table(d: dict, skip: Sequence[str] = ()) -> str:
    """A two-column field/value table of a JSON summary (nested dicts flattened one level; lists left out)."""
    rows = []
    for k, v in d.items():
        if k in skip:
            continue
        if isinstance(v, dict):
            rows += [(f"{k}.{k2}", fmt(v2, k2)) for k2, v2 in v.items() if not isinstance(v2, (dict, list))]
        elif not isinstance(v, list):
            rows.append((k, fmt(v, k)))
    return table(pd.DataFrame(rows, columns=["field", "value"]), max_rows=200)


def note(text: str) -> str:
    """A visible "not available" (or warning) paragraph."""
    return f'<p class="note">{html.escape(text)}</p>'


def plt():
    """matplotlib's pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as pyplot

    return pyplot


def figure(fig, alt: str, caption: str | None = None) -> str:
    """A matplotlib figure as an embedded PNG (the figure is closed), with a caption when given.

    The caption says what the figure shows and what a good result looks like.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt().close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    img = f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
    if caption is None:
        return img
    return f"<figure>{img}<figcaption>{esc(caption)}</figcaption></figure>"
