"""The hand-written LSTM layer gives nn.LSTM's outputs, final state and gradients."""
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.models.fast import use_reference
from engine.models.fast.lstm import lstm_forward, lstm_over_tokens, uses_own_layer


@pytest.mark.parametrize("num_layers", [1, 2])
def test_matches_nn_lstm_outputs_state_and_gradients(num_layers):
    torch.manual_seed(0)
    batch, steps, size, hidden = 5, 7, 6, 4
    lstm = nn.LSTM(size, hidden, num_layers, batch_first=True).double()
    lengths = torch.tensor([3, 7, 1, 5, 7])
    inputs = torch.randn(batch, steps, size, dtype=torch.double, requires_grad=True)
    h0 = torch.randn(num_layers, batch, hidden, dtype=torch.double, requires_grad=True)
    c0 = torch.randn(num_layers, batch, hidden, dtype=torch.double, requires_grad=True)
    weights = torch.randn(int(lengths.sum()), hidden, dtype=torch.double)

    def run(forward):
        for tensor in (inputs, h0, c0, *lstm.parameters()):
            tensor.grad = None
        packed = pack_padded_sequence(inputs, lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, c_n) = forward(packed, (h0, c0))
        # Every output and both final states reach the loss, each with its own weights.
        loss = (out.data * weights).sum() + (h_n * 1.7).sum() + (c_n ** 2).sum()
        loss.backward()
        grads = [t.grad.clone() for t in (inputs, h0, c0, *lstm.parameters())]
        return out.data.detach(), h_n.detach(), c_n.detach(), grads

    expected = run(lstm)
    assert uses_own_layer(lstm, inputs)  # so the second run below is the hand-written layer
    got = run(lambda packed, state: lstm_forward(lstm, packed, state))
    for a, b in zip(expected[:3], got[:3]):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-10)
    for a, b in zip(expected[3], got[3]):
        torch.testing.assert_close(b, a, rtol=1e-9, atol=1e-9)


def test_used_only_where_it_applies():
    lstm = nn.LSTM(3, 2, batch_first=True)
    data = torch.zeros(4, 3)
    assert uses_own_layer(lstm, data)
    with torch.no_grad():
        assert not uses_own_layer(lstm, data)
    assert not uses_own_layer(nn.LSTM(3, 2, bidirectional=True), data)
    with use_reference():
        assert not uses_own_layer(lstm, data)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_over_tokens_matches_nn_lstm_over_their_embeddings(num_layers):
    torch.manual_seed(1)
    embedding = nn.Embedding(9, 6).double()
    lstm = nn.LSTM(6, 4, num_layers, batch_first=True).double()
    # Repeated tokens, inside a row and across rows, and rows of other lengths, unsorted.
    tokens = torch.tensor([[3, 5, 3, 8, 1], [5, 5, 0, 0, 0], [2, 0, 0, 0, 0], [3, 5, 3, 8, 0]])
    lengths = torch.tensor([5, 2, 1, 4])
    state = (torch.randn(num_layers, 4, 4, dtype=torch.double), torch.randn(num_layers, 4, 4, dtype=torch.double))
    packed_tokens = pack_padded_sequence(tokens, lengths, batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        expected, (h_n, c_n) = lstm(pack_padded_sequence(embedding(tokens), lengths, batch_first=True,
                                                         enforce_sorted=False), state)
        got, (got_h, got_c) = lstm_over_tokens(lstm, embedding, packed_tokens, state)
    for a, b in ((expected.data, got.data), (h_n, got_h), (c_n, got_c)):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-10)
    assert torch.equal(got.batch_sizes, expected.batch_sizes)
    # With gradients wanted it is lstm_forward over the embeddings, and they flow.
    out, _ = lstm_over_tokens(lstm, embedding, packed_tokens, state)
    out.data.sum().backward()
    assert embedding.weight.grad is not None and float(embedding.weight.grad.abs().sum()) > 0
