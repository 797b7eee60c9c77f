"""Additive attention over the real positions of a batch only, for the chat model's training and scoring.

Both functions give what :class:`~engine.models.attention.AdditiveAttention` gives over the
padded layout (a test compares them), at the positions that are not padding.
"""
from __future__ import annotations

import torch

from engine.models.attention import AdditiveAttention


def packed_weights(attention: AdditiveAttention, queries: torch.Tensor, rows: torch.Tensor,
                   projected_keys: torch.Tensor, pad_mask: torch.Tensor | None) -> torch.Tensor:
    """The weights of real queries only, each against its own row's real keys.

    queries: (n, query_size), the non-padding positions of a batch; rows: (n,), the batch row
    of each. Returns weights (n, src_len), 0 at padding. In a teacher-forced batch most
    (query, key) pairs of the padded layout are padding (a batch's longest reply and longest
    turn set every row's lengths), and the score's (pairs x attention_size) tensor is the
    costliest part of training after the LSTMs and the output layer, so only real pairs are
    scored.
    """
    q = attention.query_proj(queries)  # (n, A)
    n, src_len, size = queries.size(0), projected_keys.size(1), projected_keys.size(2)
    if pad_mask is None:
        pad_mask = torch.zeros(projected_keys.shape[:2], dtype=torch.bool, device=queries.device)
    pair_query, pair_key = pad_mask.index_select(0, rows).logical_not_().nonzero(as_tuple=True)  # (P,)
    key_rows = rows.index_select(0, pair_query) * src_len + pair_key
    # index_select gives a fresh tensor, so the add and the tanh can work in place.
    energy = projected_keys.reshape(-1, size).index_select(0, key_rows).add_(
        q.index_select(0, pair_query)).tanh_()  # (P, A)
    pair_scores = torch.mv(energy, attention.score.weight.squeeze(0))  # (P,)
    scores = pair_scores.new_full((n, src_len), float("-inf")).index_put((pair_query, pair_key), pair_scores)
    return torch.softmax(scores, dim=-1)


def grouped(attention: AdditiveAttention, queries: torch.Tensor, groups: torch.Tensor,
            projected_keys: torch.Tensor, values: torch.Tensor,
            pad_mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Real queries that share sources: each attends over the keys of its group.

    queries: (n, query_size); groups: (n,), the source row of each query; projected_keys,
    values and pad_mask: one row per source, as in :func:`packed_weights`. Returns context (n,
    value_size) and weights (n, src_len), 0 at padding.

    Where many queries read few sources (every candidate reply against each of the MMI
    prior's turns), this skips :func:`packed_weights`'s gathering of a key row for every (query, key)
    pair: each source's queries meet its keys by broadcasting. It also computes the energies
    as sigmoids, which on the CPU cost a quarter of tanh: v . tanh(z) = 2v . sigmoid(2z) - sum(v),
    and the constant, the same for every key, leaves the softmax as it was.
    """
    doubled_q = attention.query_proj(queries).mul(2.0)  # (n, A)
    doubled_keys = projected_keys.mul(2.0)
    doubled_v = attention.score.weight.squeeze(0).mul(2.0)
    src_len = projected_keys.size(1)
    real = (torch.ones(projected_keys.shape[:2], dtype=torch.bool, device=queries.device) if pad_mask is None
            else pad_mask.logical_not())
    # Each source's keys up to its last real one (padding beyond it needs no score).
    positions = torch.arange(1, src_len + 1, device=queries.device)
    widths = (real * positions).amax(dim=1).tolist()
    order = torch.argsort(groups, stable=True)
    counts = torch.bincount(groups, minlength=projected_keys.size(0)).tolist()
    context = values.new_empty(queries.size(0), values.size(2))
    weights = values.new_zeros(queries.size(0), src_len)
    start = 0
    for group, count in enumerate(counts):
        if count == 0:
            continue
        index = order[start:start + count]
        start += count
        width = widths[group]
        energy = torch.add(doubled_q.index_select(0, index).unsqueeze(1), doubled_keys[group, :width]).sigmoid_()
        scores = torch.matmul(energy, doubled_v).masked_fill(~real[group, :width], float("-inf"))
        group_weights = torch.softmax(scores, dim=-1)  # (count, width)
        context.index_copy_(0, index, torch.matmul(group_weights, values[group, :width]))
        weights[index, :width] = group_weights
    return context, weights
