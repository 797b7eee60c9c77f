"""The training panel's live curves: loss, gradient norm before clipping, share of steps clipped
and tokens/s, one pyqtgraph plot each, with the clipping threshold drawn across the norms. The
loss plot's legend is a row of its own above the plots and names only the curves that the kind
of run shown (chat or captioner) draws.

Curves are redrawn on a timer, never per progress row: one plot per ``REDRAW_MS`` tick, so a
paint covers a quarter of the graphs (painting all four at once held the event loop for 60-160 ms
on a loaded two-core machine). The step axis spans the planned steps from the first row and the
value axes only move when a curve leaves them, so the axes' text is rarely laid out again.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor

from chatapp.training_runs import CLIP_WINDOW

if TYPE_CHECKING:
    from chatapp.training_runs import TrainingProgress

REDRAW_MS = 100  # one plot per tick: each plot is redrawn at most every len(PLOTS) * REDRAW_MS
AXIS_WIDTH = 56  # fixed, so a longer tick label never re-lays out the whole grid of plots
CURVES = {  # name -> (plot, colour, legend, the kinds of run that draw it)
    "train_loss": ("loss", "#2f6fde", "training loss", ("chat", "caption", "char")),
    "valid_loss": ("loss", "#e0662f", "validation loss (base corpus)", ("chat", "char")),
    "valid_bleu": ("loss", "#b8860b", "validation BLEU-4 (held-out photos)", ("caption",)),
    "grad_norm": ("norm", "#2f9e6f", "gradient norm before clipping", ("chat", "caption", "char")),
    "clipped_share": ("clipped", "#9b4fd1", "share of steps clipped", ("chat", "caption", "char")),
    "tokens_per_s": ("speed", "#555555", "tokens/s", ("chat", "caption", "char")),
}
# What a kind of run calls a curve or a plot where it differs: the Lab's character models
# validate on held-out text and read characters, not tokens.
KIND_LEGENDS = {"char": {"valid_loss": "validation loss (held-out text)"}}
KIND_TITLES = {"char": {"speed": "Characters/s"}}
PLOTS = {"loss": "Loss", "norm": "Gradient norm before clipping",
         "clipped": f"Share of steps clipped (last {CLIP_WINDOW})", "speed": "Tokens/s"}


class TrainingCurves(pg.GraphicsLayoutWidget):
    """The plots of ``PLOTS`` with the lines of ``CURVES``: ``start`` a run, ``add`` its progress
    rows, ``finish`` it (whatever is still waiting is drawn then)."""

    def __init__(self, background: QColor, clip: float, kind: str = "chat"):
        super().__init__()
        self._points: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in CURVES}
        self._dirty: set[str] = set()  # plots with points not drawn yet
        self._next_plot = 0  # where the round of redraws goes on
        self._total_steps = 0
        self._redraw = QTimer(self)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._draw)
        self.setBackground(background)
        # The loss plot's legend sits in a row of its own above the plots: inside a plot it
        # covered the curves, which start at the top left and end at the bottom right.
        self.legend = pg.LegendItem(frame=False, colCount=2)
        self.addItem(self.legend, row=0, col=0, colspan=2)
        self.plots: dict[str, pg.PlotItem] = {}
        for i, (key, title) in enumerate(PLOTS.items()):
            plot = self.addPlot(row=1 + i // 2, col=i % 2, title=title)
            # No grid: its lines belong to the axes, so every new point repainted both axes'
            # text as well (two thirds of a redraw's time).
            plot.showGrid(x=False, y=False)
            # A long run has thousands of steps: draw what fits the pixels, not every point.
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.setLabel("bottom", "step")
            plot.getAxis("left").setWidth(AXIS_WIDTH)
            self.plots[key] = plot
        self.lines = {name: self.plots[plot].plot([], [], pen=pg.mkPen(colour, width=2),
                                                  symbol="o" if name.startswith("valid") else None,
                                                  symbolSize=5, symbolBrush=colour)
                      for name, (plot, colour, _, _) in CURVES.items()}
        self.threshold = pg.InfiniteLine(angle=0, movable=False,
                                         pen=pg.mkPen("#d62f2f", width=1.5, style=Qt.PenStyle.DashLine),
                                         label="clipping threshold", labelOpts={"position": 0.2})
        self.threshold.setValue(clip)  # where a run puts it, so starting does not move it
        self.plots["norm"].addItem(self.threshold)
        self.plots["clipped"].setYRange(0, 1)
        self.kind = ""
        self.set_kind(kind)

    def set_kind(self, kind: str) -> None:
        """Show the curves of a ``kind`` of run ("chat", "caption" or "char") in the legend: a chat
        run has no BLEU-4 and a captioner run no base-corpus loss."""
        if kind == self.kind:
            return
        self.kind = kind
        self.legend.clear()
        for name, (plot, _, legend, kinds) in CURVES.items():
            if plot == "loss" and kind in kinds:
                self.legend.addItem(self.lines[name], KIND_LEGENDS.get(kind, {}).get(name, legend))
        for key, title in PLOTS.items():
            self.plots[key].setTitle(KIND_TITLES.get(kind, {}).get(key, title))

    def legend_texts(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for _, label in self.legend.items]

    def start(self, clip: float, kind: str = "chat") -> None:
        """A new run of ``kind``: its curves start empty, its threshold at ``clip``."""
        for xs, ys in self._points.values():
            xs.clear()
            ys.clear()
        self.threshold.setValue(clip)
        self.set_kind(kind)
        self._total_steps = 0  # the step axes keep their range until the first row gives the new one
        self._dirty = set(PLOTS)  # cleared on the next ticks, one plot at a time
        self._redraw.start()

    def add(self, update: "TrainingProgress") -> None:
        for name, value in update.values.items():
            if value is not None:
                xs, ys = self._points[name]
                xs.append(update.step)
                ys.append(value)
                self._dirty.add(CURVES[name][0])
        if update.total_steps and update.total_steps != self._total_steps:
            self._total_steps = update.total_steps
            self._dirty.update(PLOTS)  # each plot takes the new step range on its next turn

    def finish(self) -> None:
        self._redraw.stop()
        self._draw(everything=True)

    def _draw(self, everything: bool = False) -> None:
        """Redraw the next plot with new points (every such plot with ``everything``)."""
        keys = list(PLOTS)
        for offset in range(len(keys)):
            key = keys[(self._next_plot + offset) % len(keys)]
            if key not in self._dirty:
                continue
            self._dirty.discard(key)
            self._draw_plot(key)
            if not everything:
                self._next_plot = (self._next_plot + offset + 1) % len(keys)
                return

    def _draw_plot(self, key: str) -> None:
        plot = self.plots[key]
        if self._total_steps:
            plot.setXRange(0, self._total_steps, padding=0.02)  # also stops the step axis following
        low = high = None
        for name, (plot_key, _, _, _) in CURVES.items():
            if plot_key != key:
                continue
            xs, ys = self._points[name]
            self.lines[name].setData(xs, ys)
            finite = [y for y in ys if math.isfinite(y)]
            if finite:
                low = min(finite) if low is None else min(low, min(finite))
                high = max(finite) if high is None else max(high, max(finite))
        if key == "norm" and low is not None:
            # The threshold stays in view: a reader sees at once how far above it the norms are.
            low, high = min(low, self.threshold.value()), max(high, self.threshold.value())
        if key != "clipped" and low is not None:
            _fit_values(plot, low, high)


def _fit_values(plot: "pg.PlotItem", low: float, high: float) -> None:
    """Move the value axis only when the curves leave it or fill less than half of it."""
    (bottom, top) = plot.viewRange()[1]
    span = top - bottom
    if plot.getViewBox().autoRangeEnabled()[1] is False and bottom <= low and high <= top \
            and (high - low) >= 0.5 * span:
        return
    margin = max(high - low, abs(high) * 0.05, 1e-6) * 0.1
    plot.setYRange(low - margin, high + margin, padding=0)
