"""The many-to-one classifier: embedding -> bidirectional LSTM -> pooled states -> 3 classes.

Each token is its learnt embedding plus one fixed feature, the token's valence in the VADER
lexicon (Hutto & Gilbert 2014), scaled to [-1, 1]. The lexicon covers thousands of words the
tweets never use, so the model keeps a sense of "wonderful" or "dreadful" outside its corpus.

Texts are packed (``pack_padded_sequence``) and the max-pool masks padding, so a text gives the
same probabilities alone and padded inside a batch.

Two ways to lean less on what one corpus happens to teach: a lexicon-only expert mixed into the
probabilities (``SentimentConfig.lexicon_expert``), and :class:`SentimentEnsemble`, classifiers
trained from different seeds whose probabilities are averaged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.models.fast.lstm import pad_packed


@dataclass(frozen=True)
class SentimentConfig:
    vocab_size: int  # tokens in the vocabulary, specials included
    embedding_size: int = 96  # learnt part of each token's input
    hidden_size: int = 96  # LSTM state size per direction
    num_layers: int = 1  # stacked LSTM layers
    bidirectional: bool = True  # read the text both ways
    dropout: float = 0.3  # on the pooled features (and between layers)
    token_dropout: float = 0.1  # chance a token's learnt embedding is zeroed in training (valence kept)
    num_classes: int = 3  # negative, neutral, positive (engine.results.LABELS)
    max_len: int = 80  # tokens read per text; longer texts are cut
    pad_id: int = 0
    lexicon_scores: int = 0  # whole-text lexicon scores the head reads beside the LSTM (VADER's 4; 0: none)
    lexicon_expert: float = 0.0  # share of a lexicon-only expert (linear in those scores) in the probabilities


class SentimentClassifier(nn.Module):
    def __init__(self, config: SentimentConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_size, padding_idx=config.pad_id)
        nn.init.normal_(self.embedding.weight, std=0.1)
        with torch.no_grad():
            self.embedding.weight[config.pad_id].zero_()
        # Lexicon valence per token id; a buffer, saved with the weights but never trained.
        self.register_buffer("valence", torch.zeros(config.vocab_size))
        self.lstm = nn.LSTM(config.embedding_size + 1, config.hidden_size, num_layers=config.num_layers,
                            batch_first=True, bidirectional=config.bidirectional,
                            dropout=config.dropout if config.num_layers > 1 else 0.0)
        directions = 2 if config.bidirectional else 1
        # Features: the final state of each direction at the true ends, and the max over time.
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(2 * directions * config.hidden_size + config.lexicon_scores, config.num_classes)
        if config.lexicon_expert:
            if not config.lexicon_scores:
                raise ValueError("a lexicon expert reads the lexicon scores: lexicon_scores must be set")
            # A second opinion that sees only the lexicon's scores: it cannot learn that a corpus's
            # subjects ("flight", "iphone") or its habits ("really") carry a label, so on tweets
            # about other subjects it errs less where the LSTM errs most.
            self.lexicon_head = nn.Linear(config.lexicon_scores, config.num_classes)

    def set_valence(self, values: Sequence[float]) -> None:
        with torch.no_grad():
            self.valence.copy_(torch.as_tensor(values, dtype=torch.float32))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, targets: Optional[torch.Tensor] = None,
                weights: Optional[torch.Tensor] = None, class_weights: Optional[torch.Tensor] = None,
                scores: Optional[torch.Tensor] = None):
        """``ids`` (batch, time) padded with ``pad_id``; ``lengths`` (batch,) >= 1, on any device;
        ``scores`` (batch, lexicon_scores), needed when the config has lexicon scores.

        Returns ``(logits, loss)``: logits (batch, num_classes); loss is None without ``targets``,
        otherwise cross-entropy weighted per example by ``weights`` (batch,) and per class by
        ``class_weights`` (num_classes,), averaged over the total weight. With a lexicon expert the
        logits are the log of the mixed probabilities and the loss is the sum of the two experts'.
        """
        B, T = ids.shape
        embedded = self.embedding(ids)  # (B, T, E)
        if self.training and self.config.token_dropout > 0:
            keep = torch.rand(B, T, 1, device=ids.device) >= self.config.token_dropout
            embedded = embedded * keep
        inputs = torch.cat([embedded, self.valence[ids].unsqueeze(-1)], dim=-1)  # (B, T, E + 1)
        lengths_cpu = lengths.detach().to("cpu", torch.int64)
        if bool((lengths_cpu == T).all()):
            # No padding (one message, or a batch of equal lengths): packing would only cost time.
            outputs, (h_n, _) = self.lstm(inputs)  # (B, T, D*H)
        else:
            packed = pack_padded_sequence(inputs, lengths_cpu, batch_first=True, enforce_sorted=False)
            packed_out, (h_n, _) = self.lstm(packed)
            outputs = pad_packed(packed_out, B, T)  # (B, T, D*H)
        directions = 2 if self.config.bidirectional else 1
        last = h_n.view(self.config.num_layers, directions, B, -1)[-1]  # (D, B, H), top layer
        last = last.transpose(0, 1).reshape(B, -1)  # (B, D*H)
        pad_mask = torch.arange(T, device=ids.device).unsqueeze(0) >= lengths.to(ids.device).unsqueeze(1)
        pooled = outputs.masked_fill(pad_mask.unsqueeze(-1), float("-inf")).amax(dim=1)  # (B, D*H)
        features = self.dropout(torch.cat([last, pooled], dim=-1))
        if self.config.lexicon_scores:
            if scores is None:
                raise ValueError("this classifier reads lexicon scores beside the tokens; none were given")
            features = torch.cat([features, scores.to(features.dtype)], dim=-1)
        logits = self.head(features)  # (B, C)
        expert_logits = None
        if self.config.lexicon_expert:
            # The two experts' probabilities are mixed; each is trained on its own loss, as the
            # members of an ensemble are, so the lexicon expert stays a model of the scores alone.
            expert_logits = self.lexicon_head(scores.to(features.dtype))  # (B, C)
            share = self.config.lexicon_expert
            mixed = ((1 - share) * torch.softmax(logits.float(), dim=-1)
                     + share * torch.softmax(expert_logits.float(), dim=-1))
            output = mixed.clamp_min(1e-12).log()
        else:
            output = logits
        if targets is None:
            return output, None
        losses = F.cross_entropy(logits, targets, reduction="none")  # (B,)
        if expert_logits is not None:
            losses = losses + F.cross_entropy(expert_logits, targets, reduction="none")
        scale = torch.ones_like(losses) if weights is None else weights.to(losses.dtype)
        if class_weights is not None:
            scale = scale * class_weights.to(losses.dtype)[targets]
        return output, (losses * scale).sum() / scale.sum().clamp_min(1e-12)


class SentimentEnsemble(nn.Module):
    """Classifiers of one config and vocabulary, trained from different seeds; their probabilities
    are averaged. Averaging cancels much of what each member learnt by chance from its corpus,
    which is what costs it on tweets about other subjects (Lakshminarayanan et al. 2017 on
    ensembles under data shift)."""

    def __init__(self, config: SentimentConfig, members: int):
        super().__init__()
        if members < 2:
            raise ValueError("an ensemble needs at least two members")
        self.config = config
        self.members = nn.ModuleList(SentimentClassifier(config) for _ in range(members))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, targets: Optional[torch.Tensor] = None,
                weights: Optional[torch.Tensor] = None, class_weights: Optional[torch.Tensor] = None,
                scores: Optional[torch.Tensor] = None):
        """As :meth:`SentimentClassifier.forward`; the logits are the log of the members' mean
        probabilities, so a softmax over them gives that mean. Members are trained one at a time, so
        there is no loss: ``targets`` must be None."""
        if targets is not None:
            raise ValueError("train the members of an ensemble one at a time")
        probabilities = torch.stack([torch.softmax(member(ids, lengths, scores=scores)[0].float(), dim=-1)
                                     for member in self.members]).mean(0)  # (B, C)
        return probabilities.clamp_min(1e-12).log(), None


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Token-id lists (each non-empty) -> ``ids`` (batch, longest) and ``lengths`` (batch,)."""
    lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)
    ids = torch.full((len(sequences), int(lengths.max())), pad_id, dtype=torch.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.as_tensor(sequence, dtype=torch.int64)
    return ids, lengths
