"""Self-contained HTML pages with inline SVG charts: a report opens offline in any browser, fetches nothing."""

from __future__ import annotations

import html
import io
from typing import Iterable

import matplotlib

matplotlib.use("Agg")  # reports are drawn off screen, also when the app has a Qt backend loaded
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1100px;color:#222;
line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .55rem;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}.muted{color:#777}.note{font-size:.85rem;color:#555}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}svg{max-width:100%;height:auto}
"""


def figure_svg(fig: Figure) -> str:
    """Render a matplotlib figure as an inline <svg> element and close it."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})  # same data, same file
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def fmt(value: float | None, digits: int = 3) -> str:
    """A figure for a table: `—` for undefined figures, fixed digits otherwise."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}"


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """An HTML table; cells are escaped, so text from input files can never become markup."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, sections: Iterable[str]) -> str:
    """A complete HTML document with the report style and no external resources."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1>" + "".join(sections) + "</body></html>"
    )
