"""Looking inside a recurrent network: its cells, its gates and how its gradient flows back.

- :func:`record_lstm` / :func:`record_char_model`: every step's h, c and four gates of every
  layer, recomputed from the module's own weights beside (not inside) its forward pass, so the
  model is left as it is; a test checks that the recorded h and c equal ``nn.LSTM``'s.
- :func:`rank_cells`: for each feature of the text (``engine.text_features``), the cells whose
  activation correlates most with it (Pearson's r), the search of Karpathy, Johnson and Fei-Fei (2015).
- :func:`gate_saturation`: per cell, the share of steps each gate is left- (< 0.1) or right-
  (> 0.9) saturated, that paper's Figure 3.
- :func:`gradient_flow`: ||d loss_T / d h_t|| against the distance T - t. Through a plain RNN
  d h_T / d h_t = prod W_hh^T diag(tanh'), which shrinks (or grows) geometrically; through the LSTM's
  cell d c_T / d c_t = prod diag(f_i), which stays near 1 while the forget gates stay open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn

from engine.models.char_rnn import CharRNN, cell_step
from engine.models.fast.lstm import layer_weights

GATES = ("input", "forget", "cell", "output")  # PyTorch's order of the LSTM's four blocks
LEFT, RIGHT = 0.1, 0.9  # a gate below / above these is saturated


@dataclass
class LayerRecord:
    h: torch.Tensor  # (steps, hidden) the layer's output after each step
    c: Optional[torch.Tensor]  # (steps, hidden) the cell after each step; None for a plain RNN
    gates: Optional[dict[str, torch.Tensor]]  # name in GATES -> (steps, hidden) activations; None for a plain RNN


def record_layer(x: torch.Tensor, w_ih, w_hh, bias, h: torch.Tensor, c: Optional[torch.Tensor]) -> LayerRecord:
    """One layer over x (steps, input) from h and, for an LSTM, c (each (hidden,)), keeping every
    step's values (a plain RNN: ``c`` None, and no cell or gates are kept)."""
    projected = torch.addmm(bias, x, w_ih.t())  # (steps, gates): every step's input part at once
    hs, cs, gate_rows = [], [], []
    for t in range(x.size(0)):
        h, c, gates = cell_step(projected[t] + w_hh @ h, c)
        hs.append(h)
        if c is not None:
            cs.append(c)
            gate_rows.append(torch.stack(gates))
    if c is None:
        return LayerRecord(torch.stack(hs), None, None)
    gates = torch.stack(gate_rows, dim=1)  # (4, steps, hidden)
    return LayerRecord(torch.stack(hs), torch.stack(cs), dict(zip(GATES, gates.unbind(0))))


@torch.no_grad()
def record_lstm(rnn: nn.LSTM | nn.RNN, inputs: torch.Tensor,
                state: Optional[tuple[torch.Tensor, ...]] = None) -> list[LayerRecord]:
    """Every layer's values over one sequence ``inputs`` (steps, input_size), from ``state`` (each
    (layers, hidden); None: zeros). Works for a one-direction ``nn.LSTM`` or tanh ``nn.RNN``, in
    eval mode (no dropout between layers)."""
    is_lstm = isinstance(rnn, nn.LSTM)
    layers = []
    x = inputs
    for layer in range(rnn.num_layers):
        h0 = state[0][layer] if state is not None else x.new_zeros(rnn.hidden_size)
        c0 = None
        if is_lstm:
            c0 = state[1][layer] if state is not None else x.new_zeros(rnn.hidden_size)
        record = record_layer(x, *layer_weights(rnn, layer), h0, c0)
        layers.append(record)
        x = record.h
    return layers


def record_char_model(model: CharRNN, ids: torch.Tensor) -> list[LayerRecord]:
    """The character model's layers over ``ids`` (steps,), read from a zero state."""
    with torch.no_grad():
        return record_lstm(model.rnn, model.embedding(ids))


def activations(records: list[LayerRecord]) -> tuple[torch.Tensor, list[tuple[int, str, int]]]:
    """Every recorded cell's series side by side: (steps, cells), and what each column is
    (layer, "c" or "h", unit). The lecture's cells are c (tanh(c) ranks the same); h is there too."""
    columns, names = [], []
    for layer, record in enumerate(records):
        for kind, values in (("c", record.c), ("h", record.h)):
            if values is None:
                continue
            columns.append(values)
            names += [(layer, kind, unit) for unit in range(values.size(1))]
    return torch.cat(columns, dim=1), names


def correlations(series: torch.Tensor, feature: torch.Tensor) -> torch.Tensor:
    """Pearson's r of each column of ``series`` (steps, cells) with ``feature`` (steps,);
    0 for a constant column."""
    x = series.double() - series.double().mean(0)
    y = feature.double() - feature.double().mean()
    denominator = x.norm(dim=0) * y.norm()
    r = (x * y.unsqueeze(1)).sum(0) / denominator.clamp_min(1e-12)
    return torch.where(denominator > 0, r, torch.zeros_like(r)).float()


def rank_cells(records: list[LayerRecord], features: dict[str, torch.Tensor], top: int = 5,
               skip: int = 0) -> dict[str, list[dict]]:
    """For each feature that varies over the text, the ``top`` cells by |r|, strongest first:
    ``{"layer", "kind", "unit", "r"}``. The first ``skip`` steps (the state settling from zero)
    are left out. A feature constant over the text gets an empty list."""
    series, names = activations(records)
    series = series[skip:]
    ranked = {}
    for name, feature in features.items():
        feature = feature[skip:]
        if feature.numel() < 3 or float(feature.std()) == 0.0:
            ranked[name] = []
            continue
        r = correlations(series, feature)
        best = r.abs().topk(min(top, r.numel())).indices.tolist()
        ranked[name] = [{"layer": names[i][0], "kind": names[i][1], "unit": names[i][2], "r": round(float(r[i]), 4)}
                        for i in best]
    return ranked


def gate_saturation(records: list[LayerRecord]) -> list[dict[str, dict[str, list[float]]]]:
    """Per layer, per gate (input, forget, output): each cell's share of steps left-saturated
    (< 0.1) and right-saturated (> 0.9). Empty for a plain RNN, which has no gates."""
    table = []
    for record in records:
        if record.gates is None:
            continue
        table.append({name: {"left": (record.gates[name] < LEFT).float().mean(0).tolist(),
                             "right": (record.gates[name] > RIGHT).float().mean(0).tolist()}
                      for name in ("input", "forget", "output")})
    return table


def _unroll(model: CharRNN, ids: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor]:
    """The model over ``ids`` (rows, steps) from zeros, step by step with autograd on, in eval
    mode: the top layer's h at every step (each (rows, hidden), in the graph), its forget gates
    (LSTM; else empty) and the last step's logits (rows, vocab)."""
    rnn = model.rnn
    x = model.embedding(ids)  # (rows, steps, embedding)
    forgets: list[torch.Tensor] = []
    for layer in range(rnn.num_layers):
        w_ih, w_hh, bias = layer_weights(rnn, layer)
        projected = x @ w_ih.t() + bias
        h = x.new_zeros(ids.size(0), rnn.hidden_size)
        c = torch.zeros_like(h) if model.is_lstm else None
        hs, forgets = [], []
        for t in range(ids.size(1)):
            h, c, gates = cell_step(projected[:, t] + h @ w_hh.t(), c)
            if gates is not None:
                forgets.append(gates[1].detach())
            hs.append(h)
        x = torch.stack(hs, dim=1)
    return hs, forgets, model.output(hs[-1])


def gradient_flow(model: CharRNN, ids: torch.Tensor, distance: int = 100, ends: int = 16) -> dict[str, list[float]]:
    """How far back the loss at a step reaches: for ``ends`` windows of ``distance + 1`` characters
    of ``ids`` (steps,), the loss of predicting the character after each window, and for every
    distance d = 0..distance the geometric mean over windows of ||d loss_T / d h_(T-d)|| (the top
    layer); for the LSTM also the mean over windows and cells of the forget gates' product
    prod_(T-d < i <= T) f_i, the factor d c_T / d c_(T-d) carries along the cell's own path."""
    steps = distance + 1
    if ids.numel() < steps + 1:
        raise ValueError(f"the text needs more than {steps} characters for a gradient-flow distance of {distance}")
    last_start = ids.numel() - steps - 1
    starts = torch.linspace(0, last_start, min(ends, last_start + 1)).long()
    windows = torch.stack([ids[s:s + steps] for s in starts.tolist()])  # (rows, steps)
    targets = ids[starts + steps]
    was_training = model.training
    model.eval()
    with torch.enable_grad():
        hs, forgets, logits = _unroll(model, windows)
        loss = nn.functional.cross_entropy(logits.float(), targets, reduction="sum")
        grads = torch.autograd.grad(loss, hs)
    model.train(was_training)
    norms = torch.stack([g.norm(dim=1) for g in grads], dim=1)  # (rows, steps)
    log_mean = norms.clamp_min(1e-30).log().mean(0).flip(0)  # index d: distance from the last step
    result = {"distance": list(range(steps)), "grad_h": log_mean.exp().tolist()}
    if forgets:
        f = torch.stack(forgets, dim=1)  # (rows, steps, hidden)
        # prod over the d steps after T - d: suffix products, with 1 at d = 0.
        products = torch.cat([torch.ones_like(f[:, :1]), f[:, 1:].flip(1).cumprod(1)], dim=1)
        result["forget_product"] = products.mean(dim=(0, 2)).tolist()
    return result
