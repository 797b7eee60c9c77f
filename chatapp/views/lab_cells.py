"""The Lab's views inside a network: text coloured by one cell, the ranked cells per feature,
the gate-saturation scatter and the gradient-flow plot. They draw plain values (lists of floats)
handed to them; nothing here computes on a model."""
from __future__ import annotations

import html
from typing import Optional

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QTextBrowser, QToolTip, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

GATE_COLOURS = {"forget": "#2f6fde", "input": "#2f9e6f", "output": "#e0662f"}
FLOW_COLOURS = ["#2f6fde", "#d62f2f", "#9b4fd1", "#555555"]


def activation_colour(value: float) -> str:
    """-1 -> blue, 0 -> white, +1 -> red (the lecture's pictures), as a CSS hex colour."""
    value = max(-1.0, min(1.0, value))
    fade = int(round(255 * (1 - abs(value))))
    return f"#ff{fade:02x}{fade:02x}" if value > 0 else f"#{fade:02x}{fade:02x}ff"


class CellText(QTextBrowser):
    """The text, each character's background coloured by one cell's value; hovering a character
    shows it. ``values`` are in [-1, 1] (tanh(c) or h)."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFont(QFont("Monospace", 10))
        self.text = ""
        self.values: list[float] = []
        self.label = ""

    def show_cell(self, text: str, values: list[float], label: str) -> float:
        """Colour ``text`` by ``values`` divided by their largest magnitude (so a cell that only
        moves a little still shows where it moves); returns that divisor."""
        self.text, self.values, self.label = text, values, label
        scale = max((abs(v) for v in values), default=1.0) or 1.0
        spans = []
        for char, value in zip(text, values):
            shown = html.escape(char) if char != "\n" else "↵\n"
            # White text on the strongest colours (pure blue is too dark for black text to be read).
            ink = "#ffffff" if abs(value / scale) > 0.7 else "#000000"
            spans.append(f'<span style="background-color:{activation_colour(value / scale)}; color:{ink}">'
                         f'{shown}</span>')
        self.setHtml(f'<pre style="font-family:monospace; white-space:pre-wrap">{"".join(spans)}</pre>')
        return scale

    def index_at(self, x: int, y: int) -> int:
        """The character under the point (viewport coordinates), or -1."""
        from PySide6.QtCore import QPoint

        cursor = self.cursorForPosition(QPoint(x, y))
        position = cursor.position()
        # The "↵" drawn before each newline takes a position of its own.
        index, seen = 0, 0
        for index, char in enumerate(self.text):
            seen += 2 if char == "\n" else 1
            if seen > position:
                return index
        return -1

    def value_text(self, index: int) -> str:
        char = self.text[index]
        shown = repr(char)[1:-1] if char in "\n\t" else char
        return f"'{shown}' (character {index}): {self.label} = {self.values[index]:+.3f}"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(int(event.position().x()), int(event.position().y()))
        if 0 <= index < len(self.values):
            QToolTip.showText(event.globalPosition().toPoint(), self.value_text(index), self)
        super().mouseMoveEvent(event)


class RankedCells(QTreeWidget):
    """Features, each with its strongest cells (|r| first); choosing a cell emits ``chosen``."""

    chosen = Signal(int, str, int)  # layer, "c" or "h", unit

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setHeaderLabels(["feature / cell", "r"])
        self.setColumnWidth(0, 180)
        self.itemClicked.connect(self._on_clicked)

    def show_ranking(self, ranked: dict[str, list[dict]], layer_names: tuple[str, ...] = ()) -> None:
        self.clear()
        for feature, cells in ranked.items():
            best = f"{cells[0]['r']:+.2f}" if cells else "constant here"
            top = QTreeWidgetItem([feature.replace("_", " "), best])
            for cell in cells:
                layer = layer_names[cell["layer"]] if cell["layer"] < len(layer_names) else f"layer {cell['layer']}"
                item = QTreeWidgetItem([f"{layer} {cell['kind']}[{cell['unit']}]", f"{cell['r']:+.3f}"])
                item.setData(0, Qt.ItemDataRole.UserRole, (cell["layer"], cell["kind"], cell["unit"]))
                top.addChild(item)
            self.addTopLevelItem(top)
        self.expandAll()

    def _on_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        cell = item.data(0, Qt.ItemDataRole.UserRole)
        if cell is not None:
            self.chosen.emit(*cell)


class CellView(QWidget):
    """The coloured text beside the ranked cells; the cell that correlates most strongly with any
    feature is shown first."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.text_view = CellText()
        self.ranking = RankedCells()
        self.caption = QLabel("Analyse a text to see its cells.")
        left = QVBoxLayout()
        left.addWidget(self.caption)
        left.addWidget(self.text_view, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(self.ranking, 2)
        self.report = None
        self.ranking.chosen.connect(self.show_cell)

    def show_report(self, report) -> None:
        self.report = report
        self.ranking.show_ranking(report.ranked, report.layer_names)
        tops = [cells[0] for cells in report.ranked.values() if cells]
        best = max(tops, key=lambda cell: abs(cell["r"]), default={"layer": 0, "kind": "h", "unit": 0})
        self.show_cell(best["layer"], best["kind"], best["unit"])

    def show_cell(self, layer: int, kind: str, unit: int) -> None:
        values = self.report.values[(layer, kind)][unit]
        names = self.report.layer_names
        name = names[layer] if layer < len(names) else f"layer {layer}"
        label = f"{name} {'tanh(c)' if kind == 'c' else 'h'}[{unit}]"
        scale = self.text_view.show_cell(self.report.text, values, label)
        self.caption.setText(f"{label}: blue -{scale:.2f}, white 0, red +{scale:.2f} (its largest magnitude here); "
                             "hover a character for its value")


class SaturationPlot(pg.GraphicsLayoutWidget):
    """Per layer, each cell's share of steps a gate is left-saturated (x) against right-saturated
    (y), one colour per gate (Karpathy, Johnson and Fei-Fei 2015, Figure 3)."""

    def show_saturation(self, table: list[dict]) -> None:
        self.clear()
        for layer, gates in enumerate(table):
            plot = self.addPlot(row=0, col=layer, title=f"layer {layer}")
            plot.setLabel("bottom", "fraction left-saturated (&lt; 0.1)")  # labels are HTML
            plot.setLabel("left", "fraction right-saturated (&gt; 0.9)")
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            plot.addLegend(offset=(-10, 10))
            for gate, sides in gates.items():
                plot.plot(sides["left"], sides["right"], pen=None, symbol="o", symbolSize=5,
                          symbolBrush=GATE_COLOURS[gate], symbolPen=None, name=f"{gate} gate")


class FlowPlot(pg.PlotWidget):
    """||d loss_T / d h_(T-d)|| against the distance d, log scale, one line per network; the
    LSTM's mean forget-gate product dashed."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setLogMode(x=False, y=True)
        self.setLabel("bottom", "distance T - t (characters)")
        self.setLabel("left", "gradient norm")
        self.addLegend(offset=(-10, 10))

    def show_flows(self, flows: dict[str, dict]) -> None:
        self.clear()
        for colour, (label, flow) in zip(FLOW_COLOURS, flows.items()):
            norms = [max(value, 1e-30) for value in flow["grad_h"]]
            self.plot(flow["distance"], norms, pen=pg.mkPen(colour, width=2), name=f"{label}: ||dL/dh||")
            if "forget_product" in flow:
                products = [max(value, 1e-30) for value in flow["forget_product"]]
                self.plot(flow["distance"], products, pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                          name=f"{label}: mean prod f")
        self.enableAutoRange()
