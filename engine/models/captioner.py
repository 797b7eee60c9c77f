"""Show, Attend and Tell (Xu et al. 2015), small: a CNN keeps a grid of region features and an
LSTM, started from the image, attends over the regions (additive attention, Bahdanau et al. 2015)
before writing each word.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.attention import AdditiveAttention


@dataclass(frozen=True)
class CaptionerConfig:
    vocab_size: int  # tokens, specials included
    image_size: int = 64  # images are resized to image_size x image_size
    channels: tuple[int, ...] = (32, 64, 128)  # convolution widths; each stage halves the grid (stride, pools)
    grid_size: int = 8  # regions per side the encoder keeps (image_size / 8 with three stages)
    feature_size: int = 128  # size of a region's feature vector
    embed_size: int = 64  # word embeddings
    hidden_size: int = 192  # decoder LSTM
    attention_size: int = 128  # additive attention's inner size
    dropout: float = 0.2  # before the output layer
    max_length: int = 32  # tokens a caption may have (decoding stops there)
    # Groups of token ids (for example the colour words, the shape words) whose scores against each
    # other come from the attended image alone: the LSTM only says how likely a word of the group
    # is next, so the words before cannot favour one member (no "red is never a triangle" prior).
    image_words: tuple[tuple[int, ...], ...] = ()
    # Token ids (for example the size and colour words) after which the next step reuses the attention
    # weights of the step before instead of computing new ones: the words of one noun phrase then all
    # read the same regions, so its colour and its shape describe the same object. () computes every step.
    hold_attention_after: tuple[int, ...] = ()
    # Indices into image_words of the groups (for example the shapes) whose member scores come from a
    # second, colour-blind encoder that sees only the brightness and the local contrast of the pixels:
    # a colour never met with a shape in training cannot then sway which shape is named. () for none.
    colour_blind_groups: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(self.channels))
        object.__setattr__(self, "hold_attention_after", tuple(int(i) for i in self.hold_attention_after))
        object.__setattr__(self, "colour_blind_groups", tuple(int(i) for i in self.colour_blind_groups))
        if not all(0 <= g < len(self.image_words) for g in self.colour_blind_groups):
            raise ValueError("colour_blind_groups: indices into image_words")
        object.__setattr__(self, "image_words", tuple(tuple(int(i) for i in group) for group in self.image_words))
        if self.image_size // 2 ** len(self.channels) != self.grid_size:
            raise ValueError(f"{len(self.channels)} stages turn {self.image_size} pixels into a grid of "
                             f"{self.image_size // 2 ** len(self.channels)}, not {self.grid_size}")


def _block(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs),
                         nn.ReLU(inplace=True))


class Encoder(nn.Module):
    """(batch, inputs, H, W) normalised pixels -> (batch, regions, feature_size) region features."""

    def __init__(self, config: CaptionerConfig, inputs: int = 3):
        super().__init__()
        layers: list[nn.Module] = []
        for index, width in enumerate(config.channels):
            if index == 0:  # a strided 5x5 layer: the full-resolution stage is the costly one, so skip it
                layers += [nn.Conv2d(inputs, width, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(width),
                           nn.ReLU(inplace=True)]
            else:
                layers += [nn.MaxPool2d(2), _block(inputs, width)]
            inputs = width
        # Receptive field with the defaults: 35 pixels, more than the largest object of a 64-pixel scene.
        layers += [nn.Conv2d(inputs, config.feature_size, 1)]
        self.cnn = nn.Sequential(*layers)
        # Relations need to know where a region is: a learned position vector per region.
        self.position = nn.Parameter(torch.zeros(config.grid_size * config.grid_size, config.feature_size))
        nn.init.normal_(self.position, std=0.1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.cnn(images)  # (B, F, g, g)
        features = features.flatten(2).transpose(1, 2)  # (B, g*g, F), row-major regions
        return torch.relu(features) + self.position


_LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 brightness of R, G, B


def colour_blind(images: torch.Tensor) -> torch.Tensor:
    """(batch, 3, H, W) normalised pixels -> (batch, 2, H, W): brightness, and how far each pixel's
    colour is from its 5x5 neighbourhood's mean (edges of any colour look alike)."""
    brightness = (images * images.new_tensor(_LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True)
    local = F.avg_pool2d(images, 5, stride=1, padding=2, count_include_pad=False)
    return torch.cat([brightness, (images - local).norm(dim=1, keepdim=True)], dim=1)


@dataclass
class DecoderState:
    hidden: torch.Tensor  # (rows, hidden)
    cell: torch.Tensor  # (rows, hidden)
    features: torch.Tensor  # (rows, regions, feature)
    keys: torch.Tensor  # (rows, regions, attention): the features' projection, computed once
    weights: Optional[torch.Tensor] = None  # (rows, regions): the last step's attention, None before the first
    blind: Optional[torch.Tensor] = None  # (rows, regions, feature): the colour-blind encoder's, if any


class Captioner(nn.Module):
    def __init__(self, config: CaptionerConfig, pad_id: int = 0):
        super().__init__()
        self.config = config
        self.pad_id = pad_id
        self.encoder = Encoder(config)
        self.embedding = nn.Embedding(config.vocab_size, config.embed_size, padding_idx=pad_id)
        self.attention = AdditiveAttention(config.hidden_size, config.feature_size, config.attention_size)
        self.init_hidden = nn.Linear(config.feature_size, config.hidden_size)
        self.init_cell = nn.Linear(config.feature_size, config.hidden_size)
        # Xu et al. (2015), 4.2.1: a gate lets the decoder weigh the image against the words.
        self.gate = nn.Linear(config.hidden_size, config.feature_size)
        self.lstm = nn.LSTMCell(config.embed_size + config.feature_size, config.hidden_size)
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(config.hidden_size + config.feature_size, config.vocab_size)
        if config.image_words:
            ids = [i for group in config.image_words for i in group]
            if len(set(ids)) != len(ids) or not all(0 <= i < config.vocab_size for i in ids):
                raise ValueError("image_words: token ids must be distinct and in the vocabulary")
            self.register_buffer("image_ids", torch.tensor(ids), persistent=False)
            self.register_buffer("image_group", torch.tensor([g for g, group in enumerate(config.image_words)
                                                              for _ in group]), persistent=False)
            self.image_head = nn.Linear(config.feature_size, len(ids))  # attended features -> member scores
            self.group_head = nn.Linear(config.hidden_size, len(config.image_words))  # hidden -> group score
        if config.hold_attention_after:
            ids = config.hold_attention_after
            if not all(0 <= i < config.vocab_size for i in ids):
                raise ValueError("hold_attention_after: token ids must be in the vocabulary")
            self.register_buffer("hold_ids", torch.tensor(ids), persistent=False)
        if config.colour_blind_groups:
            columns = [k for k, g in enumerate(self.image_group.tolist()) if g in config.colour_blind_groups]
            self.register_buffer("blind_columns", torch.tensor(columns), persistent=False)
            self.blind_encoder = Encoder(config, inputs=2)
            self.blind_head = nn.Linear(config.feature_size, len(columns))  # blind attended features -> scores

    def warm_start_image_words(self) -> None:
        """Start the image-word heads from the output layer: a member's image columns, and for a
        group's score the mean of its members' hidden-state columns and biases."""
        if self.config.image_words:
            hidden = self.config.hidden_size
            with torch.no_grad():
                self.image_head.weight.copy_(self.output.weight[self.image_ids, hidden:])
                self.image_head.bias.zero_()
                for g, group in enumerate(self.config.image_words):
                    ids = torch.tensor(group)
                    self.group_head.weight[g] = self.output.weight[ids, :hidden].mean(0)
                    self.group_head.bias[g] = self.output.bias[ids].mean()

    def warm_start_colour_blind(self) -> None:
        """Start the colour-blind encoder as the main one would see a grey picture (its first filters
        summed over R, G and B read the brightness; the contrast channel starts unread) and its head
        from the image head's rows of the same words."""
        if self.config.colour_blind_groups:
            with torch.no_grad():
                state = self.encoder.state_dict()
                first = state["cnn.0.weight"]  # (width, 3, 5, 5)
                state["cnn.0.weight"] = torch.cat([first.sum(1, keepdim=True), torch.zeros_like(first[:, :1])], 1)
                self.blind_encoder.load_state_dict(state)
                self.blind_head.weight.copy_(self.image_head.weight[self.blind_columns])
                self.blind_head.bias.copy_(self.image_head.bias[self.blind_columns])

    # -- decoding, one step at a time (engine.decoding drives these) -----------------------------
    def start(self, images: torch.Tensor) -> DecoderState:
        """Encode (batch, 3, H, W) images into the decoder's first state."""
        features = self.encoder(images)
        mean = features.mean(dim=1)
        blind = None
        if self.config.colour_blind_groups:
            pixels = colour_blind(images)  # (B, 2, H, W)
            if self.training:
                # Brightness still tells yellow from blue: a random gain (either sign) and offset per
                # image keep the shapes' encoder from learning which brightness goes with which shape.
                rows = pixels.size(0)
                gain = torch.empty(rows, 1, 1, 1, device=pixels.device).uniform_(0.5, 1.5)
                gain = gain * (torch.randint(0, 2, (rows, 1, 1, 1), device=pixels.device) * 2 - 1)
                offset = torch.empty(rows, 1, 1, 1, device=pixels.device).uniform_(-0.5, 0.5)
                pixels = torch.cat([pixels[:, :1] * gain + offset, pixels[:, 1:]], dim=1)
            blind = self.blind_encoder(pixels)
        return DecoderState(torch.tanh(self.init_hidden(mean)), torch.tanh(self.init_cell(mean)),
                            features, self.attention.project_keys(features), None, blind)

    def step_logits(self, tokens: torch.Tensor, state: DecoderState) -> tuple[torch.Tensor, torch.Tensor, DecoderState]:
        """Feed ``tokens`` (rows,); returns logits (rows, vocab), attention (rows, regions), new state."""
        context, weights = self.attention(state.hidden.unsqueeze(1), state.keys, state.features, None)
        attended, weights = context.squeeze(1), weights.squeeze(1)  # (N, F), (N, S)
        if self.config.hold_attention_after and state.weights is not None:
            # Rows fed a word of the noun phrase keep the phrase's regions: with fresh attention the
            # colour word could read one object and the shape word the next another.
            held = torch.isin(tokens, self.hold_ids).unsqueeze(1)  # (N, 1)
            if bool(held.any()):
                weights = torch.where(held, state.weights.to(weights.dtype), weights)
                attended = torch.bmm(weights.unsqueeze(1), state.features).squeeze(1)
        context = torch.sigmoid(self.gate(state.hidden)) * attended
        hidden, cell = self.lstm(torch.cat([self.embedding(tokens), context], dim=1), (state.hidden, state.cell))
        logits = self.output(self.dropout(torch.cat([hidden, context], dim=1)))
        if self.config.image_words:
            own = self.image_head(self.dropout(attended))  # (N, K): from the attended regions only
            if state.blind is not None:  # the colour-blind groups read the same regions, without colour
                seen = torch.bmm(weights.unsqueeze(1), state.blind).squeeze(1)  # (N, F)
                own = own.index_copy(1, self.blind_columns, self.blind_head(self.dropout(seen)).to(own.dtype))
            shared = self.group_head(self.dropout(hidden)).index_select(1, self.image_group)  # (N, K)
            logits = logits.index_copy(1, self.image_ids, (own + shared).to(logits.dtype))
        return logits, weights, DecoderState(hidden, cell, state.features, state.keys, weights, state.blind)

    def step(self, tokens: torch.Tensor, state: DecoderState) -> tuple[torch.Tensor, torch.Tensor, DecoderState]:
        """``engine.decoding``'s step function: log-probabilities (rows, vocab), attention, state."""
        logits, weights, state = self.step_logits(tokens, state)
        return F.log_softmax(logits.float(), dim=-1), weights, state

    @staticmethod
    def reorder(state: DecoderState, rows: torch.Tensor) -> DecoderState:
        """Keep the state rows of the hypotheses a strategy kept (and duplicate as it asks)."""
        return DecoderState(state.hidden.index_select(0, rows), state.cell.index_select(0, rows),
                            state.features.index_select(0, rows), state.keys.index_select(0, rows),
                            None if state.weights is None else state.weights.index_select(0, rows),
                            None if state.blind is None else state.blind.index_select(0, rows))

    # -- training: teacher forcing -------------------------------------------------------------
    def teacher_forced(self, images: torch.Tensor, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (B, 3, H, W), inputs (B, T) starting with <sos> -> logits (B, T, V), attention (B, T, S)."""
        state = self.start(images)
        all_logits, all_weights = [], []
        for t in range(inputs.size(1)):
            logits, weights, state = self.step_logits(inputs[:, t], state)
            all_logits.append(logits)
            all_weights.append(weights)
        return torch.stack(all_logits, dim=1), torch.stack(all_weights, dim=1)

    def forward(self, images: torch.Tensor, inputs: torch.Tensor, targets: Optional[torch.Tensor] = None,
                attention_penalty: float = 1.0, attention_targets: Optional[torch.Tensor] = None,
                attention_supervision: float = 0.0) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Returns (logits (B, T, V), loss). ``targets`` (B, T) are the inputs shifted by one, with
        <pad> where there is nothing to predict; the loss is the mean cross-entropy per target token
        plus the doubly stochastic attention penalty of Xu et al. (2015), eq. 14, which asks every
        region to receive about one unit of attention over the caption, so the words look at the
        whole image rather than at one spot.

        ``attention_targets`` (B, T, regions), where known, marks with 1 the regions of the object a
        target word describes (rows of zeros elsewhere); ``attention_supervision`` weighs the mean
        -log(attention mass on those regions) over the marked words, so a word looks at its object."""
        logits, weights = self.teacher_forced(images, inputs)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=self.pad_id)
        if attention_penalty > 0:
            live = (targets != self.pad_id).unsqueeze(-1).float()  # (B, T, 1)
            received = (weights * live).sum(dim=1)  # (B, S)
            loss = loss + attention_penalty * ((1.0 - received) ** 2).mean()
        if attention_targets is not None and attention_supervision > 0:
            marked = attention_targets.sum(dim=-1) > 0  # (B, T)
            if bool(marked.any()):
                mass = (weights * attention_targets).sum(dim=-1)[marked]
                loss = loss + attention_supervision * -(mass.clamp_min(1e-6).log()).mean()
        return logits, loss
