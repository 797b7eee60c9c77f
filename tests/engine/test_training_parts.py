"""The training loop's own building blocks: dropout drawn with torch.rand, and the fused Adam."""
import pytest
import torch
from torch import nn

from engine.models.dropout import Dropout
from engine.training import adam


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_dropout_keeps_each_element_with_one_minus_p_scaled_and_passes_its_gradient(p):
    torch.manual_seed(0)
    layer = Dropout(p).train()
    x = torch.ones(400, 500, requires_grad=True)
    y = layer(x)
    kept = y != 0
    assert abs(kept.float().mean().item() - (1 - p)) < 0.005  # 200,000 draws: about 5 standard errors
    assert torch.allclose(y[kept], torch.full_like(y[kept], 1 / (1 - p)))
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())  # the gradient is the same mask and scale
    # Another call draws another mask.
    assert not torch.equal(layer(x) != 0, kept)


def test_dropout_is_the_identity_outside_training_and_at_p_zero():
    x = torch.randn(30, 40)
    assert torch.equal(Dropout(0.3).eval()(x), x)
    assert torch.equal(Dropout(0.0).train()(x), x)
    assert torch.equal(Dropout(1.0).train()(x), torch.zeros_like(x))


def test_adam_takes_the_same_steps_as_plain_adam():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 2))
    twin = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 2))
    twin.load_state_dict(model.state_dict())
    ours, plain = adam(model.parameters(), 0.01), torch.optim.Adam(twin.parameters(), lr=0.01)
    start = model[0].weight.detach().clone()
    for _ in range(5):
        x = torch.randn(8, 6)
        for net, optimizer in ((model, ours), (twin, plain)):
            optimizer.zero_grad()
            net(x).pow(2).sum().backward()
            optimizer.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    assert (model[0].weight - start).abs().max() > 0.01  # it did move


def test_a_progress_row_reads_back_as_the_update_it_was():
    import json
    import math

    from engine.progress import ProgressUpdate, progress_row

    step = ProgressUpdate(7, 9, 1, 2.5, 6.25, True, math.nan, 1e-3, 12.0)
    back = ProgressUpdate.from_row(json.loads(json.dumps(progress_row(step))))
    assert math.isnan(back.tokens_per_s) and back.clipped and back.total_steps == 9
    assert back == ProgressUpdate(7, 9, 1, 2.5, 6.25, True, back.tokens_per_s, 1e-3, 12.0)
    valid = ProgressUpdate(9, 9, 2, 2.0, 0.0, False, 0.0, 1e-3, 20.0, phase="valid", valid_loss=1.5, metric=None)
    assert ProgressUpdate.from_row(json.loads(json.dumps(progress_row(valid)))) == valid
