"""The arithmetic of the gradient-norm measurement behind fine-tuning's clipping threshold."""
import math

import pytest

from engine.tasks.finetune_norms import describe, quantile


def test_quantiles_interpolate_between_ranks():
    ordered = [1.0, 2.0, 3.0, 4.0]
    assert quantile(ordered, 0.0) == 1.0 and quantile(ordered, 1.0) == 4.0
    assert quantile(ordered, 0.5) == pytest.approx(2.5)
    assert quantile(ordered, 0.25) == pytest.approx(1.75)
    assert quantile([7.0], 0.9) == 7.0


def test_describe_counts_what_each_threshold_would_clip_and_skips_non_finite_norms():
    norms = [0.5, 1.0, 1.5, 6.0, math.inf, 12.0]
    got = describe(norms)
    assert got["steps"] == 6 and got["finite"] == 5
    assert got["min"] == 0.5 and got["max"] == 12.0 and got["p50"] == 1.5
    # clip_gradients scales a norm at or above the threshold, so 1.0 clips 1.0 itself.
    assert got["clipped_share_at"]["1.0"] == pytest.approx(4 / 5)
    assert got["clipped_share_at"]["5.0"] == pytest.approx(2 / 5)
    assert got["clipped_share_at"]["20.0"] == 0.0
    assert describe([math.nan]) == {"steps": 1, "finite": 0}
