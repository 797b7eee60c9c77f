"""The chat replies' one default: the same search, reranking and topic words from the API, the command line
and the app."""
import json

import pytest

from engine import HISTORY_WEIGHT, TOPIC_WEIGHT
from engine.decode_config import RERANK_FIELDS, DecodeConfig, RerankConfig, SearchConfig


def test_one_default_for_the_api_the_command_line_and_the_app():
    from chatapp.settings import AppSettings, make_decode_config
    from engine.__main__ import build_parser
    from engine.decode_config import chat_decoding
    from engine.tasks.chat import _decode_config

    default = chat_decoding()
    command_line = _decode_config(build_parser(["reply", "hi"]).parse_args(["reply", "hi"]))
    app = make_decode_config(AppSettings().decoding())
    for config in (command_line, app):
        assert isinstance(config, DecodeConfig)
        for name in ("strategy", "beam_size", "length_penalty", "n_best"):
            assert getattr(config.search, name) == getattr(default.search, name), name
        assert config.rerank == default.rerank
    # The default reranks: a beam of 5, MMI and the backward model on, steered by the topic words.
    assert default.search.strategy == "beam" and default.search.beam_size == 5
    assert default.rerank.mmi_weight > 0 and default.rerank.mmi_backward_weight > 0
    assert default.rerank.mmi_candidates >= default.search.beam_size
    assert default.rerank.topic_weight == TOPIC_WEIGHT == 0.5
    assert default.rerank.history_weight == HISTORY_WEIGHT == 0.25
    # The evaluation commands start from the same default.
    for command in (["eval", "chat"], ["eval", "memory"]):
        args = build_parser(command).parse_args(command)
        assert args.topic_weight == 0.5 and args.history_weight == 0.25, command
    off = _decode_config(build_parser(["reply", "hi"]).parse_args(["reply", "hi", "--topic-weight", "0"]))
    assert off.rerank.topic_weight == 0 and off.search == command_line.search


def test_the_search_and_the_reranking_are_separate_settings():
    # The captioner and the strategies take the search alone; nothing of the reranking is in it.
    assert not set(RERANK_FIELDS) & {f for f in SearchConfig.__dataclass_fields__}
    config = DecodeConfig.of(strategy="greedy", max_length=12, mmi_weight=0.25)
    assert config.search == SearchConfig(strategy="greedy", max_length=12)
    assert config.rerank == RerankConfig(mmi_weight=0.25)
    assert DecodeConfig.of(**config.flat()) == config
    assert DecodeConfig.of(topic_weight=0.75).rerank == RerankConfig(topic_weight=0.75)
    with pytest.raises(TypeError, match="mmi_samples"):
        DecodeConfig.of(mmi_samples=32)


def test_settings_saved_by_an_older_version_load_without_the_deleted_levers(tmp_path):
    from chatapp.settings import AppSettings, load_settings, make_decode_config, save_settings

    # A settings file of a version that still had the MMI search penalty and sampled candidates:
    # those keys are ignored, and every other setting is kept, the topic words' weight too.
    old = {"strategy": "beam", "beam_size": 7, "length_penalty": 0.8, "mmi_weight": 0.3, "mmi_search_weight": 0.7,
           "mmi_backward_weight": 2.0, "mmi_samples": 32, "topic_weight": 1.25, "temperature": 0.9, "top_k": 20,
           "max_length": 25, "device": "cpu", "theme": "dark"}
    (tmp_path / "settings.json").write_text(json.dumps(old))
    settings = load_settings(tmp_path)
    assert settings == AppSettings(beam_size=7, length_penalty=0.8, mmi_weight=0.3, mmi_backward_weight=2.0,
                                   topic_weight=1.25, temperature=0.9, top_k=20, max_length=25, device="cpu",
                                   theme="dark")
    # Saved again, the file no longer holds them.
    save_settings(tmp_path, settings)
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert not {"mmi_search_weight", "mmi_search_tokens", "mmi_samples"} & set(saved)
    assert saved["topic_weight"] == 1.25
    # A reply's decoding as an older version stored it makes a config, the deleted keys left out.
    config = make_decode_config({**settings.decoding(), "mmi_search_weight": 0.7, "mmi_search_tokens": 2,
                                 "mmi_samples": 32})
    assert config == make_decode_config(settings.decoding())
    assert config.search.beam_size == 7 and config.rerank.mmi_weight == 0.3 and config.rerank.topic_weight == 1.25


def test_a_settings_file_without_the_topic_words_loads_with_their_default(tmp_path):
    from chatapp.settings import AppSettings, load_settings, make_decode_config

    # A file of the version that had deleted the topic words: no such key.
    (tmp_path / "settings.json").write_text(json.dumps({"beam_size": 4, "mmi_weight": 0.2, "theme": "dark"}))
    settings = load_settings(tmp_path)
    assert settings == AppSettings(beam_size=4, mmi_weight=0.2, theme="dark")
    assert settings.topic_weight == TOPIC_WEIGHT and settings.stored_answers is True
    assert make_decode_config(settings.decoding()).rerank.stored_answers is True
    assert make_decode_config(settings.decoding()).rerank.topic_weight == TOPIC_WEIGHT
    # A reply that version stored (no topic words in its decoding) regenerates as it was written: without them.
    stored = {k: v for k, v in settings.decoding().items() if k not in ("topic_weight", "stored_answers")}
    assert make_decode_config(stored).rerank.topic_weight == 0 and not make_decode_config(stored).rerank.stored_answers
    # An out-of-range weight is brought into range.
    (tmp_path / "settings.json").write_text(json.dumps({"topic_weight": 99}))
    assert load_settings(tmp_path).topic_weight == 3.0
