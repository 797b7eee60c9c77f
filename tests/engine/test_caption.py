import io
import math
from dataclasses import asdict, replace

import pytest
import torch

from engine.images import ImageError, normalize_pixels, to_tensor
from engine.models.captioner import Captioner, CaptionerConfig
from engine.scenes import caption_is_true, scene_split
from engine.tasks import caption_train as task
from engine.tasks import caption_data, caption_eval
from engine.tasks.caption import CaptionPredictor
from engine.tasks.caption_train import TrainConfig, train_model
from engine.tasks.caption_data import encode_captions, scene_vocab, set_batches

TINY = dict(image_size=32, channels=(16, 32), grid_size=8, feature_size=32, embed_size=16, hidden_size=64,
            attention_size=32, dropout=0.0)


def tiny_model(vocab) -> Captioner:
    return Captioner(CaptionerConfig(vocab_size=len(vocab), **TINY), pad_id=vocab.pad_id)


@pytest.fixture(scope="module")
def overfitted():
    """A tiny captioner trained on four scenes, one caption each, until it knows them by heart."""
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices on a shared machine: one thread beats two that contend
    vocab = scene_vocab()
    scenes = [s for s in scene_split("train", 12, image_size=32) if len(s.objects) <= 2][:4]
    images = torch.stack([to_tensor(s.image, 32) for s in scenes])
    captions = [[s.captions[0].split()] for s in scenes]
    model = tiny_model(vocab)
    config = TrainConfig(steps=120, batch_size=4, learning_rate=1e-2, warmup_steps=10, word_dropout=0.0,
                         valid_every=1000)
    losses = []
    train_model(model, vocab, set_batches(images, captions, 4), config, torch.device("cpu"),
                on_progress=lambda update: losses.append(update.loss))
    torch.set_num_threads(threads)
    return CaptionPredictor(model, vocab), scenes, losses


def test_a_tiny_captioner_overfits_a_handful_of_scenes(overfitted):
    predictor, scenes, losses = overfitted
    assert losses[-1] < 0.2 * losses[0]
    for scene in scenes:
        result = predictor.caption(scene.image, beam_size=3)
        assert " ".join(result.words) == scene.captions[0]
        assert caption_is_true(result.words, scene.objects, 32)
        assert math.isfinite(result.score) and result.score <= 0
        assert result.text[0].isupper()  # detokenised for display
        greedy = predictor.caption(scene.image, beam_size=1)
        assert greedy.words == result.words


def test_attention_maps_are_distributions_over_regions(overfitted):
    predictor, scenes, _ = overfitted
    result = predictor.caption(scenes[0].image)
    assert len(result.attention) == len(result.words)
    for grid in result.attention:
        assert len(grid) == 8 and all(len(row) == 8 for row in grid)
        values = torch.tensor(grid)
        assert (values >= 0).all() and abs(float(values.sum()) - 1) < 1e-4
    vocab = predictor.vocab
    inputs, _ = encode_captions(vocab, [s.captions[0].split() for s in scenes], 32)
    images = normalize_pixels(torch.stack([to_tensor(s.image, 32) for s in scenes]))
    _, weights = predictor.model.teacher_forced(images, inputs)
    assert weights.shape == (len(scenes), inputs.size(1), 64)
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:2]), atol=1e-5)


def test_loss_adds_the_doubly_stochastic_penalty():
    vocab = scene_vocab()
    model = tiny_model(vocab).eval()
    scenes = scene_split("valid", 3, image_size=32)
    images = normalize_pixels(torch.stack([to_tensor(s.image, 32) for s in scenes]))
    inputs, targets = encode_captions(vocab, [s.captions[0].split() for s in scenes], 32)
    logits, plain = model(images, inputs, targets, attention_penalty=0.0)
    _, penalised = model(images, inputs, targets, attention_penalty=2.0)
    _, weights = model.teacher_forced(images, inputs)
    live = (targets != vocab.pad_id).unsqueeze(-1).float()
    expected = 2.0 * ((1 - (weights * live).sum(1)) ** 2).mean()
    assert torch.allclose(penalised - plain, expected, atol=1e-5) and expected > 0
    assert logits.shape == (3, inputs.size(1), len(vocab))
    assert model(images, inputs)[1] is None


def test_step_and_reorder_fit_the_shared_decoder():
    vocab = scene_vocab()
    model = tiny_model(vocab).eval()
    image = normalize_pixels(to_tensor(scene_split("test", 1, image_size=32)[0].image, 32).unsqueeze(0))
    with torch.no_grad():
        state = model.start(image)
        log_probs, attention, state = model.step(torch.tensor([vocab.sos_id]), state)
        assert log_probs.shape == (1, len(vocab)) and attention.shape == (1, 64)
        assert torch.allclose(log_probs.exp().sum(-1), torch.ones(1))
        wider = model.reorder(state, torch.tensor([0, 0, 0]))
        assert wider.hidden.shape[0] == wider.features.shape[0] == 3
        log_probs, _, _ = model.step(torch.tensor([6, 7, 8]), wider)
        assert log_probs.shape == (3, len(vocab))


def test_checkpoint_round_trip_and_every_image_source(overfitted, tmp_path):
    predictor, scenes, _ = overfitted
    path = predictor.save(tmp_path / "caption.safetensors", {"note": "test"}, half=True)
    loaded = CaptionPredictor.load(path)
    assert loaded.meta == {"note": "test"} and loaded.vocab == predictor.vocab
    scene = scenes[1]
    buffer = io.BytesIO()
    scene.image.save(buffer, "PNG")
    png = tmp_path / "scene.png"
    png.write_bytes(buffer.getvalue())
    expected = predictor.caption(scene.image).words
    array = to_tensor(scene.image, 32).permute(1, 2, 0).numpy()
    for source in (png, str(png), buffer.getvalue(), array):
        assert loaded.caption(source).words == expected
    with pytest.raises(ImageError):
        loaded.caption(b"not an image")
    with pytest.raises(ImageError):
        loaded.caption(buffer.getvalue()[:100])


def test_engine_caption_and_bench_use_the_checkpoint(overfitted, tmp_path, monkeypatch):
    from engine.service import DEFAULT_PATHS, Engine

    predictor, scenes, _ = overfitted
    path = predictor.save(tmp_path / "caption.safetensors")
    engine = Engine(paths={"caption": path}, device="cpu")
    buffer = io.BytesIO()
    scenes[2].image.save(buffer, "JPEG", quality=95)
    result = engine.caption(buffer.getvalue())
    assert result.words and len(result.attention) == len(result.words)
    with pytest.raises(ValueError):
        engine.caption(b"")
    monkeypatch.setitem(DEFAULT_PATHS, "caption", path)
    figures = caption_eval.bench("cpu", repeats=2)
    assert figures["caption_ms_p50"] > 0 and figures["caption_ms_p90"] >= figures["caption_ms_p50"]


def test_scene_evaluation_reports_every_figure(overfitted):
    predictor, scenes, _ = overfitted
    figures = caption_eval.evaluate_scenes(predictor, scenes, beam_size=2)
    assert figures["truthfulness"] == 1.0 and figures["n_images"] == len(scenes)
    assert 0 <= figures["grounding"] <= 1 and figures["bleu4"] > 0.9


def test_scene_batches_mark_each_noun_phrase_with_its_objects_cells():
    vocab = scene_vocab()
    images, captions, regions = next(caption_data.scene_batches(6, 32, seed=1, start=0, grid_size=8))
    assert images.shape == (6, 3, 32, 32) and len(captions) == len(regions) == 6
    for words, marks in zip(captions, regions):
        marked = {position for position, _ in marks}
        shapes = {i for i, w in enumerate(words) if w in ("circle", "square", "triangle", "diamond", "cross")}
        assert shapes and shapes <= marked  # every shape word, with its size and colour words
        assert all(words[p] not in ("a", "and", "above", "below", "of") for p in marked)
        assert all(mask.shape == (64,) and 0 < mask.sum() < 64 for _, mask in marks)
    inputs, targets = encode_captions(vocab, captions, 32)
    grid = caption_data.attention_targets(regions, inputs.size(1), 64)
    assert grid.shape == (6, inputs.size(1), 64)
    assert (targets[grid.sum(-1) > 0] != vocab.pad_id).all()


def test_attention_supervision_adds_the_log_mass_outside_the_marked_cells():
    vocab = scene_vocab()
    model = tiny_model(vocab).eval()
    images, captions, regions = next(caption_data.scene_batches(3, 32, seed=2, grid_size=8))
    images = normalize_pixels(images)
    inputs, targets = encode_captions(vocab, captions, 32)
    marked = caption_data.attention_targets(regions, inputs.size(1), 64)
    _, plain = model(images, inputs, targets, attention_penalty=0.0)
    _, supervised = model(images, inputs, targets, attention_penalty=0.0, attention_targets=marked,
                          attention_supervision=0.5)
    _, weights = model.teacher_forced(images, inputs)
    rows = marked.sum(-1) > 0
    expected = 0.5 * -((weights * marked).sum(-1)[rows].log()).mean()
    assert torch.allclose(supervised - plain, expected, atol=1e-5) and expected > 0


def test_learning_rate_follows_the_time_budget_when_it_is_shorter():
    config = TrainConfig(steps=10000, learning_rate=1.0, warmup_steps=10, max_minutes=10)
    assert task._learning_rate(0, config) == pytest.approx(0.1)
    assert task._learning_rate(100, config, elapsed_s=0) > 0.99
    assert task._learning_rate(100, config, elapsed_s=300) == pytest.approx(0.05 + 0.95 * 0.5)
    assert task._learning_rate(100, config, elapsed_s=600) == pytest.approx(0.05)


def test_init_starts_from_a_checkpoint(overfitted, tmp_path):
    predictor, scenes, _ = overfitted
    path = predictor.save(tmp_path / "start.safetensors", half=True)
    fresh = CaptionPredictor(tiny_model(predictor.vocab), predictor.vocab)
    started = task._initialised(fresh, str(path))
    assert started.model.encoder.position.dtype == torch.float32
    assert started.caption(scenes[0].image).words == predictor.caption(scenes[0].image).words
    small = task.Vocab.build([["a", "b"]], min_count=1)
    other = CaptionPredictor(Captioner(CaptionerConfig(vocab_size=len(small), **TINY)), small)
    with pytest.raises(ValueError):
        task._initialised(other, str(path))


def test_image_words_are_ranked_by_the_attended_image_alone(overfitted, tmp_path):
    vocab = scene_vocab()
    groups = task.scene_image_words(vocab)
    model = Captioner(CaptionerConfig(vocab_size=len(vocab), image_words=groups, **TINY), pad_id=vocab.pad_id).eval()
    image = normalize_pixels(to_tensor(scene_split("test", 1, image_size=32)[0].image, 32).unsqueeze(0))
    with torch.no_grad():
        model.attention.score.weight.zero_()  # uniform attention: the attended features are fixed
        state = model.start(image)
        first, _, _ = model.step_logits(torch.tensor([vocab.stoi["red"]]), state)
        state.hidden, state.cell = torch.randn_like(state.hidden), torch.randn_like(state.cell)
        second, _, _ = model.step_logits(torch.tensor([vocab.stoi["small"]]), state)
    for group in groups:
        ids = torch.tensor(group)
        assert torch.allclose(first[0, ids] - first[0, ids[0]], second[0, ids] - second[0, ids[0]], atol=1e-5)
        assert not torch.allclose(first[0, ids], second[0, ids])
    # --init on a checkpoint without the heads starts them from its output layer
    predictor, scenes, _ = overfitted
    path = predictor.save(tmp_path / "plain.safetensors")
    wanted = CaptionPredictor(Captioner(CaptionerConfig(vocab_size=len(vocab), image_words=groups, **TINY)), vocab)
    started = task._initialised(wanted, str(path))
    assert started.model.config.image_words == groups
    saved = CaptionPredictor.load(started.save(tmp_path / "heads.safetensors"))
    assert saved.model.config.image_words == groups
    assert saved.caption(scenes[0].image).words == started.caption(scenes[0].image).words


def hold_model(vocab, **extra) -> Captioner:
    config = CaptionerConfig(vocab_size=len(vocab), hold_attention_after=task.scene_phrase_words(vocab), **TINY,
                             **extra)
    return Captioner(config, pad_id=vocab.pad_id).eval()


def phrase_steps(words: list[str]) -> list[tuple[int, int, int]]:
    """Steps (= word indices) that predict each noun phrase's size, colour and shape word."""
    return [(i - 2, i - 1, i) for i, w in enumerate(words) if w in task.SHAPES]


def test_held_attention_makes_a_noun_phrase_read_one_object_in_training_and_decoding(overfitted):
    vocab = scene_vocab()
    torch.manual_seed(3)
    model = hold_model(vocab, image_words=task.scene_image_words(vocab))
    scenes = [s for s in scene_split("valid", 8, image_size=32) if len(s.objects) >= 2][:3]
    images = normalize_pixels(torch.stack([to_tensor(s.image, 32) for s in scenes]))
    captions = [s.captions[0].split() for s in scenes]
    inputs, _ = encode_captions(vocab, captions, 32)
    with torch.no_grad():
        _, weights = model.teacher_forced(images, inputs)  # (B, T, S)
        plain = Captioner(replace(model.config, hold_attention_after=()), pad_id=vocab.pad_id).eval()
        plain.load_state_dict(model.state_dict())
        _, fresh = plain.teacher_forced(images, inputs)
    for row, words in enumerate(captions):
        for size, colour, shape in phrase_steps(words):
            assert torch.equal(weights[row, size], weights[row, colour])
            assert torch.equal(weights[row, colour], weights[row, shape])
            assert torch.allclose(weights[row, size], fresh[row, size])  # the phrase's first step is fresh
            assert not torch.allclose(fresh[row, size], fresh[row, shape])  # without the hold they differ
        assert torch.allclose(weights[row, 0], fresh[row, 0])
    # Beam search (through reorder) follows the same rule; the overfitted weights write real captions.
    trained, known, _ = overfitted
    model = hold_model(vocab)
    model.load_state_dict(trained.model.state_dict())
    predictor, held = CaptionPredictor(model, vocab), 0
    phrase = set(task.SIZES) | set(task.COLOURS)
    for scene in known:
        result = predictor.caption(scene.image, beam_size=3)
        maps = torch.tensor(result.attention).flatten(1)  # (words, S): the map that predicted each word
        for k in range(1, len(result.words)):
            if result.words[k - 1] in phrase:  # fed a size or colour word: predicted with the map before
                assert torch.equal(maps[k], maps[k - 1])
                held += 1
            elif k > 1:
                assert not torch.equal(maps[k], maps[k - 1])
    assert held >= 2 * len(known)


def test_reorder_carries_the_held_attention():
    vocab = scene_vocab()
    model = hold_model(vocab)
    image = normalize_pixels(to_tensor(scene_split("test", 1, image_size=32)[0].image, 32).unsqueeze(0))
    with torch.no_grad():
        state = model.reorder(model.start(image), torch.tensor([0, 0]))
        assert state.weights is None
        _, first, state = model.step(torch.tensor([vocab.sos_id, vocab.sos_id]), state)
        state.weights = torch.stack([first[0], torch.full_like(first[0], 1 / 64)])  # two different maps
        moved = model.reorder(state, torch.tensor([1, 0]))
        assert torch.equal(moved.weights, state.weights[[1, 0]])
        _, held, _ = model.step(torch.tensor([vocab.stoi["red"], vocab.stoi["small"]]), moved)
        assert torch.equal(held, moved.weights)
        _, free, _ = model.step(torch.tensor([vocab.stoi["a"], vocab.stoi["small"]]), moved)
        assert not torch.equal(free[0], moved.weights[0]) and torch.equal(free[1], moved.weights[1])


def test_checkpoints_without_the_hold_load_unchanged_and_init_adds_it(overfitted, tmp_path):
    from engine.checkpoint import Checkpoint, save_checkpoint

    predictor, scenes, _ = overfitted
    config = asdict(predictor.model.config)
    del config["hold_attention_after"], config["colour_blind_groups"]  # written before the options existed
    path = save_checkpoint(tmp_path / "old.safetensors", Checkpoint("caption", config, predictor.model.state_dict(),
                                                                    predictor.vocab.itos, {}))
    old = CaptionPredictor.load(path)
    assert old.model.config.hold_attention_after == () and old.model.config.colour_blind_groups == ()
    assert old.caption(scenes[0].image).words == predictor.caption(scenes[0].image).words
    vocab = predictor.vocab
    wanted = CaptionPredictor(hold_model(vocab), vocab)
    started = task._initialised(wanted, str(path))
    assert started.model.config.hold_attention_after == task.scene_phrase_words(vocab)
    assert torch.equal(started.model.encoder.position, predictor.model.encoder.position)
    saved = CaptionPredictor.load(started.save(tmp_path / "held.safetensors"))
    assert saved.model.config.hold_attention_after == task.scene_phrase_words(vocab)


def test_word_dropout_never_drops_a_word_that_holds_the_attention():
    vocab = scene_vocab()
    inputs, _ = encode_captions(vocab, [s.captions[0].split() for s in scene_split("valid", 20, image_size=32)], 32)
    keep = task.scene_phrase_words(vocab)
    dropped = task.drop_words(inputs, vocab, 0.5, torch.Generator().manual_seed(0), keep)
    held = torch.isin(inputs, torch.tensor(keep))
    assert torch.equal(dropped[held], inputs[held])
    assert (dropped[~held & (inputs > vocab.eos_id)] == vocab.unk_id).any()
    assert torch.equal(dropped[inputs <= vocab.eos_id], inputs[inputs <= vocab.eos_id])
    everything = task.drop_words(inputs, vocab, 0.5, torch.Generator().manual_seed(0))
    assert (everything[held] == vocab.unk_id).any()


def test_colour_blind_shapes_are_ranked_by_the_second_encoder_alone(overfitted, tmp_path):
    from engine.models.captioner import colour_blind

    vocab = scene_vocab()
    colours, shapes = (torch.tensor(g) for g in task.scene_image_words(vocab))
    config = CaptionerConfig(vocab_size=len(vocab), image_words=task.scene_image_words(vocab), colour_blind_groups=(1,),
                             **TINY)
    model = Captioner(config, pad_id=vocab.pad_id).eval()
    image = normalize_pixels(to_tensor(scene_split("test", 1, image_size=32)[0].image, 32).unsqueeze(0))
    red = torch.tensor([vocab.stoi["red"]])
    with torch.no_grad():
        before, _, _ = model.step_logits(red, model.start(image))
        model.image_head.weight.add_(torch.randn_like(model.image_head.weight))  # the colour path changes
        after, _, _ = model.step_logits(red, model.start(image))
        assert torch.allclose(before[0, shapes], after[0, shapes]) and not torch.allclose(before[0, colours],
                                                                                          after[0, colours])
        model.blind_head.weight.add_(torch.randn_like(model.blind_head.weight))  # the shape path changes
        last, _, _ = model.step_logits(red, model.start(image))
        assert torch.allclose(after[0, colours], last[0, colours]) and not torch.allclose(after[0, shapes],
                                                                                          last[0, shapes])
    # what the second encoder sees: brightness, and the distance from the 5x5 neighbourhood's mean colour
    grey = torch.zeros(1, 3, 9, 9)
    grey[..., 4, 4] = 1.0
    seen = colour_blind(grey)
    assert seen.shape == (1, 2, 9, 9) and torch.allclose(seen[0, 0], grey[0, 0])
    assert torch.isclose(seen[0, 1, 4, 4], torch.tensor(3 ** 0.5 * 24 / 25)) and seen[0, 1, 0, 0] == 0
    # --init adds it, started as the main encoder would see the picture in grey
    predictor, scenes, _ = overfitted
    wanted = CaptionPredictor(Captioner(config, pad_id=vocab.pad_id), vocab)
    with_heads = task._initialised(CaptionPredictor(Captioner(replace(config, colour_blind_groups=()),
                                                              pad_id=vocab.pad_id), vocab),
                                  str(predictor.save(tmp_path / "plain.safetensors")))
    started = task._initialised(wanted, str(with_heads.save(tmp_path / "heads.safetensors"))).model.eval()
    pixels = normalize_pixels(to_tensor(scenes[0].image, 32).unsqueeze(0)).mean(1, keepdim=True).expand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(started.blind_encoder(colour_blind(pixels)), started.encoder(pixels), atol=1e-4)
        assert torch.equal(started.blind_head.weight, started.image_head.weight[started.blind_columns])
        started.train()
        jittered = started.start(pixels).blind  # training: random brightness gain and offset
        started.eval()
        assert not torch.allclose(jittered, started.start(pixels).blind)


def test_every_reference_batches_and_the_likeliest_reference_is_the_models_own_choice():
    vocab = scene_vocab()
    plain = next(caption_data.scene_batches(6, 32, seed=4, grid_size=8))
    images, captions, regions, choices = next(caption_data.scene_batches(6, 32, seed=4, grid_size=8,
                                                                         every_reference=True))
    assert torch.equal(images, plain[0]) and captions == plain[1]  # the same scenes and draws
    assert any(len(options) > 1 for options in choices)
    for words, marks, options in zip(captions, regions, choices):
        assert words in [w for w, _ in options]
        assert all(len(m) == 3 * sum(w in task.SHAPES for w in ws) for ws, m in options)
    torch.manual_seed(5)
    model = tiny_model(vocab).train()
    pixels = normalize_pixels(images)
    chosen, marks = caption_data.likeliest_references(model, vocab, pixels, choices)
    assert model.training  # left as it was found
    model.eval()
    for row, options in enumerate(choices):
        inputs, targets = encode_captions(vocab, [w for w, _ in options], 32)
        with torch.no_grad():
            logits, _ = model(pixels[[row] * len(options)], inputs)
        losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets, ignore_index=vocab.pad_id,
                                                   reduction="none").sum(1)
        best = int(losses.argmin())
        assert chosen[row] == options[best][0] and marks[row] is options[best][1]
