"""An LSTM layer with a hand-written backward pass, for training on the CPU.

On the CPU, ``nn.LSTM`` over a packed batch records every time step's gate arithmetic for
autograd, so its backward pass runs one small weight-gradient product per step, accumulates it,
and zero-fills a full gate-sized tensor for each of the four gate slices it differentiates. This
layer keeps the same parameters and the same arithmetic:

    (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(W_ih x_t + b + W_hh h_{t-1})
    c_t = f * c_{t-1} + i * g,    h_t = o * tanh(c_t)

but computes the input projection of every step in one matrix product, runs only the recurrent
product inside the step loop (forward and backward), and forms the weight gradients after the loop
as one product each over all steps. Gradients equal ``nn.LSTM``'s (a test compares them in
double precision), including those of the initial state, so truncated BPTT windows chain as before.

Use :func:`lstm_forward`: it takes an ``nn.LSTM`` and a packed batch and falls back to the module
itself wherever this layer does not apply (no gradient wanted, a GPU, where cuDNN is faster,
or a bidirectional or projected LSTM) and when the fast paths are switched off
(:func:`engine.models.fast.enabled`). :func:`lstm_over_tokens` is the same recurrence for
scoring without gradients on the CPU, over token ids.
"""
from __future__ import annotations

from typing import Callable, Optional

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from engine.models.fast import enabled

State = tuple[torch.Tensor, torch.Tensor]


def _recur(gates: torch.Tensor, batch_sizes: list[int], h0: torch.Tensor, c0: torch.Tensor, w_hh: torch.Tensor):
    """The recurrence of one layer over packed data, given every position's input projection
    ``gates`` (N, 4H), which become the gate activations in place. Returns every position's c,
    tanh(c) and h (N, H) and the state after each row's last step (B, H)."""
    hidden = h0.size(1)
    c_all = gates.new_empty(gates.size(0), hidden)
    tanh_c = gates.new_empty(gates.size(0), hidden)
    h_all = gates.new_empty(gates.size(0), hidden)
    # Every row ends at some step, which fills its row of the final state.
    h_n, c_n = torch.empty_like(h0), torch.empty_like(c0)
    h, c, start = h0, c0, 0
    w_hh_t = w_hh.t()
    for t, size in enumerate(batch_sizes):
        end = start + size
        step = gates[start:end]
        step.addmm_(h[:size], w_hh_t)
        four = step.view(size, 4, hidden)
        four[:, :2].sigmoid_()
        four[:, 2].tanh_()
        four[:, 3].sigmoid_()
        i, f, g, o = four.unbind(1)
        c = torch.addcmul(f * c[:size], i, g, out=c_all[start:end])
        torch.tanh(c, out=tanh_c[start:end])
        h = torch.mul(o, tanh_c[start:end], out=h_all[start:end])
        # Rows that end at this step keep this step's state.
        ending = batch_sizes[t + 1] if t + 1 < len(batch_sizes) else 0
        if ending < size:
            h_n[ending:size] = h[ending:]
            c_n[ending:size] = c[ending:]
        start = end
    return c_all, tanh_c, h_all, h_n, c_n


class _PackedLSTMLayer(torch.autograd.Function):
    """One LSTM layer over packed, time-major data.

    x: (N, input) in PackedSequence order (step 0's rows, then step 1's, ...); batch_sizes:
    rows active at each step, non-increasing; h0, c0: (B, hidden) in the packed (sorted) row
    order. Returns every step's h (N, hidden) and the state after each row's last step (B, hidden).
    """

    @staticmethod
    def forward(ctx, x, batch_sizes: list[int], h0, c0, w_ih, w_hh, bias):
        # Every step's input projection at once; each step then adds its recurrent part in place.
        gates = torch.addmm(bias, x, w_ih.t())  # (N, 4H), becomes the gate activations
        c_all, tanh_c, h_all, h_n, c_n = _recur(gates, batch_sizes, h0, c0, w_hh)
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, gates, c_all, tanh_c, h_all)
        ctx.batch_sizes = batch_sizes
        return h_all, h_n, c_n

    @staticmethod
    def backward(ctx, grad_h_all, grad_h_n, grad_c_n):
        x, h0, c0, w_ih, w_hh, gates, c_all, tanh_c, h_all = ctx.saved_tensors
        batch_sizes = ctx.batch_sizes
        hidden = h0.size(1)
        n = x.size(0)
        sizes = torch.tensor(batch_sizes)
        # Each packed position's previous state: the same row one step earlier (h0/c0 at step 0).
        steps, _ = _steps_and_ranks(sizes)
        first = batch_sizes[0]
        previous = torch.arange(n) - sizes[(steps - 1).clamp_(min=0)]
        h_prev = torch.cat([h0[:first], h_all.index_select(0, previous[first:].to(x.device))])
        c_prev = torch.cat([c0[:first], c_all.index_select(0, previous[first:].to(x.device))])

        # The parts of the gate gradients that do not depend on the recursion, for all steps at once.
        i, f, g, o = gates.view(n, 4, hidden).unbind(1)
        coef = torch.empty_like(gates).view(n, 4, hidden)
        torch.mul(g, i * (1 - i), out=coef[:, 0])  # d c / d (i's pre-activation)
        torch.mul(c_prev, f * (1 - f), out=coef[:, 1])
        torch.mul(i, 1 - g * g, out=coef[:, 2])
        torch.mul(tanh_c, o * (1 - o), out=coef[:, 3])  # d h / d (o's pre-activation)
        dc_from_h = o * (1 - tanh_c * tanh_c)  # d c_t / d h_t's path through tanh, times o
        grad_h_all = grad_h_all if grad_h_all is not None else torch.zeros_like(h_all)
        grad_h = grad_h_n.clone() if grad_h_n is not None else torch.zeros_like(h0)
        grad_c = grad_c_n.clone() if grad_c_n is not None else torch.zeros_like(c0)

        grad_gates = torch.empty_like(gates)
        end = n
        for size in reversed(batch_sizes):
            start = end - size
            dh = grad_h[:size].add_(grad_h_all[start:end])
            dc = grad_c[:size].addcmul_(dh, dc_from_h[start:end])
            dgates = grad_gates[start:end].view(size, 4, hidden)
            torch.mul(coef[start:end, :3], dc.unsqueeze(1), out=dgates[:, :3])
            torch.mul(coef[start:end, 3], dh, out=dgates[:, 3])
            torch.mm(grad_gates[start:end], w_hh, out=grad_h[:size])
            grad_c[:size].mul_(f[start:end])
            end = start

        grad_x = grad_gates @ w_ih if ctx.needs_input_grad[0] else None
        grad_w_ih = grad_gates.t() @ x
        grad_w_hh = grad_gates.t() @ h_prev
        grad_bias = grad_gates.sum(0)
        return grad_x, None, grad_h, grad_c, grad_w_ih, grad_w_hh, grad_bias


def uses_own_layer_shape(lstm: nn.LSTM) -> bool:
    """Whether this module's layer can stand in for ``lstm`` (one direction, biases, no projection)."""
    return not lstm.bidirectional and lstm.bias and getattr(lstm, "proj_size", 0) == 0


def uses_own_layer(lstm: nn.LSTM, data: torch.Tensor) -> bool:
    """Whether :func:`lstm_forward` runs this module's hand-written layer rather than ``lstm``."""
    return (enabled() and data.device.type == "cpu" and torch.is_grad_enabled() and uses_own_layer_shape(lstm)
            and data.dtype in (torch.float32, torch.float64))


def _stacked(lstm: nn.LSTM, packed: PackedSequence, state: Optional[State], template: torch.Tensor,
             run_layer: Callable[[int, torch.Tensor, torch.Tensor, torch.Tensor],
                                 tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> tuple[PackedSequence, State]:
    """``lstm``'s layers over ``packed``: the state (None: zeros like ``template``) sorted into
    the packed order, ``run_layer(layer, x, h0, c0) -> (x, h_n, c_n)`` for each layer with x
    first ``packed.data``, and the final state put back in the batch's own order."""
    if state is None:
        zeros = template.new_zeros(lstm.num_layers, int(packed.batch_sizes[0]), lstm.hidden_size)
        state = (zeros, zeros)
    h0, c0 = state
    if packed.sorted_indices is not None:
        h0, c0 = h0.index_select(1, packed.sorted_indices), c0.index_select(1, packed.sorted_indices)
    x = packed.data
    h_layers, c_layers = [], []
    for layer in range(lstm.num_layers):
        x, h_n, c_n = run_layer(layer, x, h0[layer], c0[layer])
        h_layers.append(h_n)
        c_layers.append(c_n)
    h_n, c_n = torch.stack(h_layers), torch.stack(c_layers)
    if packed.unsorted_indices is not None:
        h_n, c_n = h_n.index_select(1, packed.unsorted_indices), c_n.index_select(1, packed.unsorted_indices)
    return PackedSequence(x, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices), (h_n, c_n)


def layer_weights(lstm: nn.LSTM, layer: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(W_ih, W_hh, b_ih + b_hh) of one layer."""
    return (getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}"),
            getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}"))


def lstm_forward(lstm: nn.LSTM, packed: PackedSequence,
                 state: Optional[State] = None) -> tuple[PackedSequence, State]:
    """``lstm(packed, state)``, with the hand-written layer when training on the CPU.

    state: (h, c), each (num_layers, batch, hidden) in the batch's own row order, as for
    ``nn.LSTM`` (None: zeros); the returned state is in that order too.
    """
    if not uses_own_layer(lstm, packed.data):
        return lstm(packed, state)
    batch_sizes = packed.batch_sizes.tolist()

    def run_layer(layer: int, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor):
        if layer > 0 and lstm.dropout > 0:
            x = nn.functional.dropout(x, lstm.dropout, lstm.training)
        w_ih, w_hh, bias = layer_weights(lstm, layer)
        return _PackedLSTMLayer.apply(x, batch_sizes, h0, c0, w_ih, w_hh, bias)

    return _stacked(lstm, packed, state, packed.data, run_layer)


def lstm_over_tokens(lstm: nn.LSTM, embedding: nn.Embedding, tokens: PackedSequence,
                     state: Optional[State] = None) -> tuple[PackedSequence, State]:
    """``lstm_forward(lstm, tokens embedded, state)`` without gradients, for scoring replies on
    the CPU: ``tokens`` is a packed batch of token ids.

    The first layer's input projection W_ih x + b depends on the token alone, so it is computed
    once for each distinct token of the batch and gathered: the MMI prior reads the same few dozen
    candidate replies after each of its 16 turns, 16 copies of every token, and the projection
    of every position was a fifth of the LSTM's time there. The recurrence is this module's.
    Where every row has the same length, ``nn.LSTM`` runs oneDNN's fused RNN, which is faster
    than both (150 against 300 ms for 768 rows of 31 tokens here), so it is left to it.
    """
    batch_sizes = tokens.batch_sizes.tolist()
    if (not enabled() or torch.is_grad_enabled() or tokens.data.device.type != "cpu"
            or not uses_own_layer_shape(lstm) or batch_sizes[0] == batch_sizes[-1]):
        return lstm_forward(lstm, tokens._replace(data=embedding(tokens.data)), state)

    def run_layer(layer: int, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor):
        w_ih, w_hh, bias = layer_weights(lstm, layer)
        if layer == 0:  # x: the token ids
            distinct, inverse = x.unique(return_inverse=True)
            gates = torch.addmm(bias, embedding(distinct), w_ih.t()).index_select(0, inverse)
        else:
            gates = torch.addmm(bias, x, w_ih.t())
        _, _, h_all, h_n, c_n = _recur(gates, batch_sizes, h0, c0, w_hh)
        return h_all, h_n, c_n

    return _stacked(lstm, tokens, state, embedding.weight, run_layer)


def _steps_and_ranks(sizes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each element of packed data with these batch sizes: its time step, and its row among
    that step's rows (the packed, sorted order)."""
    steps = torch.repeat_interleave(torch.arange(len(sizes)), sizes)
    ranks = torch.arange(len(steps)) - torch.repeat_interleave(torch.cumsum(sizes, 0) - sizes, sizes)
    return steps, ranks


def padded_positions(packed: PackedSequence, length: int) -> torch.Tensor:
    """Where each element of ``packed.data`` sits in the padded (batch, length) layout, as
    ``row * length + step`` (batch rows in their original order).

    ``pad_packed_sequence`` copies one time step at a time, and autograd records each copy, so its
    backward pass copies the whole padded gradient once per step; a single ``index_copy`` or
    ``index_select`` with these positions does the same in one operation each way.
    """
    steps, ranks = _steps_and_ranks(packed.batch_sizes)
    rows = ranks if packed.sorted_indices is None else packed.sorted_indices.cpu()[ranks]
    return (rows * length + steps).to(packed.data.device)


def pad_packed(packed: PackedSequence, batch_size: int, length: int) -> torch.Tensor:
    """``pad_packed_sequence(packed, batch_first=True, total_length=length)[0]``, in one operation
    (that call itself with the fast paths switched off)."""
    if not enabled():
        return pad_packed_sequence(packed, batch_first=True, total_length=length)[0]
    data = packed.data
    flat = data.new_zeros(batch_size * length, data.size(-1))
    return flat.index_copy(0, padded_positions(packed, length), data).view(batch_size, length, -1)
