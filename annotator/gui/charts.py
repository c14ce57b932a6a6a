"""Matplotlib charts inside Qt widgets, shared by the agreement and metric views.

`ChartCanvas` owns one Figure; a view redraws it with `canvas.draw(fn)` where `fn(figure)` adds its axes, so
each view decides its layout while the canvas keeps sizing, clearing and the "nothing to show" message in one
place. The axis helpers (`heatmap`, `bar_with_intervals`, `grouped_bars`) take plain lists and dicts, never a
report, so they serve any table of figures. Undefined values are None: drawn as a gap with a mark, never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#bab0ac")
UNDEFINED_MARK = "—"


def _defined(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


class ChartCanvas(QWidget):
    """A widget holding one matplotlib Figure; `draw(fn)` clears it, lets `fn(figure)` draw, and repaints.

    A chart nobody can see (on a tab not shown yet) is neither drawn nor rendered when asked: the last request
    waits until the chart is shown or its `figure` is read. Moving a view's threshold redraws every chart of the
    view, and building the ones on hidden tabs took longer than the one on screen."""

    def __init__(self, parent: QWidget | None = None, width: float = 5.0, height: float = 3.2, dpi: int = 100):
        super().__init__(parent)
        self._figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
        self._pending: Callable[[], None] | None = None  # the last drawing asked for while hidden
        self.canvas = FigureCanvasQTAgg(self._figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.setMinimumHeight(int(height * dpi * 0.6))
        self._stale = False

    @property
    def figure(self) -> Figure:
        """The figure as last asked for (a drawing put off while the chart was hidden is done first)."""
        self._build_pending()
        return self._figure

    def draw(self, fn: Callable[[Figure], object]) -> None:
        """Redraw from scratch; an exception in `fn` leaves a message on the figure instead of a stale chart."""
        self._request(lambda: self._draw(fn))

    def message(self, text: str) -> None:
        """Show a sentence in place of a chart (no data, no pair chosen...)."""
        self._request(lambda: self._message(text))

    def clear(self) -> None:
        self._request(self._figure.clear)

    def _draw(self, fn: Callable[[Figure], object]) -> None:
        self._figure.clear()
        try:
            fn(self._figure)
        except Exception as exc:  # noqa: BLE001 - a broken chart must not take the view down with it
            self._message(f"could not draw this chart: {exc}")

    def _message(self, text: str) -> None:
        self._figure.clear()
        self._figure.text(0.5, 0.5, text, ha="center", va="center", wrap=True, color="#555555")

    def _request(self, build: Callable[[], None]) -> None:
        """Build and render the figure at the next turn if the chart is on screen, else once it is shown: the app
        opens with two views of charts on tabs nobody is looking at yet, and rendering them was a quarter of the
        time a window took to open."""
        if self.isVisible():
            self._pending = None
            build()
            self.canvas.draw_idle()
        else:
            self._pending = build  # replaces any earlier request: only the last one would be seen
            self._stale = True

    def _build_pending(self) -> None:
        build, self._pending = self._pending, None
        if build is not None:
            build()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._build_pending()
        if self._stale:
            self._stale = False
            self.canvas.draw_idle()

    def save(self, path: str) -> None:
        self.figure.savefig(path)


def heatmap(ax: Axes, matrix: Sequence[Sequence[float | None]], labels: Sequence[str],
            col_labels: Sequence[str] | None = None, vmin: float = -1.0, vmax: float = 1.0,
            fmt: str = "{:.2f}", cmap: str = "RdYlGn", title: str | None = None) -> None:
    """A square (or rectangular) grid of figures with each value written in its cell; None cells are grey
    and marked with a dash. Text colour follows the cell's brightness so every number stays legible."""
    rows = [[float(v) if _defined(v) else math.nan for v in row] for row in matrix]
    cols = list(col_labels) if col_labels is not None else list(labels)
    colormap = matplotlib.colormaps[cmap].with_extremes(bad="#e6e6e6")
    image = ax.imshow(rows, cmap=colormap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(cols)), labels=cols, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels=list(labels))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if math.isnan(value):
                ax.text(j, i, UNDEFINED_MARK, ha="center", va="center", color="#666666")
                continue
            r, g, b, _ = colormap((value - vmin) / (vmax - vmin) if vmax > vmin else 0.5)
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, fmt.format(value), ha="center", va="center", color="white" if dark else "black",
                    fontsize=9)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)


def bar_with_intervals(ax: Axes, names: Sequence[str], values: Sequence[float | None],
                       intervals: Sequence[Sequence[float] | None] | None = None, color: str = PALETTE[0],
                       horizontal: bool = True, xlabel: str | None = None, limits: tuple[float, float] | None = None,
                       title: str | None = None) -> None:
    """One bar per name with its 95% interval as an error bar; an undefined value gets no bar and a dash."""
    positions = list(range(len(names)))
    heights = [float(v) if _defined(v) else 0.0 for v in values]
    intervals = list(intervals) if intervals is not None else [None] * len(names)
    bars = (ax.barh if horizontal else ax.bar)(positions, heights, color=color, alpha=0.85)
    for k, (value, interval, bar) in enumerate(zip(values, intervals, bars)):
        if not _defined(value):
            bar.set_visible(False)
            if horizontal:
                ax.text(0, k, f" {UNDEFINED_MARK} undefined", va="center", color="#666666", fontsize=8)
            else:
                ax.text(k, 0, UNDEFINED_MARK, ha="center", va="bottom", color="#666666")
            continue
        if interval is not None and len(interval) == 2 and all(_defined(x) for x in interval):
            lo, hi = float(interval[0]), float(interval[1])
            err = [[max(0.0, float(value) - lo)], [max(0.0, hi - float(value))]]
            if horizontal:
                ax.errorbar(float(value), k, xerr=err, fmt="none", ecolor="#333333", capsize=3, lw=1)
            else:
                ax.errorbar(k, float(value), yerr=err, fmt="none", ecolor="#333333", capsize=3, lw=1)
    if horizontal:
        ax.set_yticks(positions, labels=list(names))
        ax.invert_yaxis()  # first name on top, as in a table
        ax.axvline(0, color="#999999", lw=0.8)
        if limits:
            ax.set_xlim(*limits)
        if xlabel:
            ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xticks(positions, labels=list(names), rotation=30, ha="right")
        ax.axhline(0, color="#999999", lw=0.8)
        if limits:
            ax.set_ylim(*limits)
        if xlabel:
            ax.set_ylabel(xlabel)
        ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title)


def grouped_bars(ax: Axes, names: Sequence[str], series: Mapping[str, Sequence[float | None]],
                 colors: Sequence[str] | None = None, ylabel: str | None = None,
                 limits: tuple[float, float] | None = None, title: str | None = None) -> None:
    """Bars for several series side by side per name (prevalence by annotator, F1 beside the human ceiling).

    None values leave a gap; the legend lists only series with a defined value, and only when there are two."""
    colors = list(colors) if colors else list(PALETTE)
    n = max(len(series), 1)
    width = 0.8 / n
    positions = list(range(len(names)))
    shown = 0
    for k, (label, values) in enumerate(series.items()):
        xs = [p - 0.4 + width * (k + 0.5) for p in positions]
        heights = [float(v) if _defined(v) else 0.0 for v in values]
        bars = ax.bar(xs, heights, width=width * 0.95, color=colors[k % len(colors)], label=label)
        any_defined = False
        for bar, value in zip(bars, values):
            if _defined(value):
                any_defined = True
            else:
                bar.set_visible(False)
        if not any_defined:
            bars.set_label("_hidden")
        shown += any_defined
    ax.set_xticks(positions, labels=list(names), rotation=30, ha="right")
    if limits:
        ax.set_ylim(*limits)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if shown > 1:
        ax.legend(fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
