"""Additive attention (Bahdanau et al. 2015), shared by the chat model and the captioner."""
from __future__ import annotations

import torch
from torch import nn


class AdditiveAttention(nn.Module):
    """score(q, k) = v . tanh(W_q q + W_k k); the weights are a softmax over keys, 0 at padding.

    The keys' projection is computed once per source (:meth:`project_keys`) and reused by every
    query, so a decoder step costs one small matrix product plus the score.
    :mod:`engine.models.fast.attention` computes the same over the real positions of a batch only.
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int):
        super().__init__()
        self.query_proj = nn.Linear(query_size, attention_size, bias=False)
        self.key_proj = nn.Linear(key_size, attention_size, bias=True)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def project_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """(batch, src_len, key_size) -> (batch, src_len, attention_size)."""
        return self.key_proj(keys)

    def forward(self, queries: torch.Tensor, projected_keys: torch.Tensor, values: torch.Tensor,
                pad_mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend with every query over the same source.

        queries: (batch, tgt_len, query_size); projected_keys: (batch, src_len, attention_size);
        values: (batch, src_len, value_size); pad_mask: (batch, src_len), true at padding.
        Returns context (batch, tgt_len, value_size) and weights (batch, tgt_len, src_len).
        """
        q = self.query_proj(queries)  # (B, T, A)
        energy = torch.tanh(q.unsqueeze(2) + projected_keys.unsqueeze(1))  # (B, T, S, A)
        scores = self.score(energy).squeeze(-1)  # (B, T, S)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, values), weights
