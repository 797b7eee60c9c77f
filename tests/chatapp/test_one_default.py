"""The chat replies' one default: the same search and reranking from the API, the command line and the app."""
def test_one_default_for_the_api_the_command_line_and_the_app():
    from chatapp.settings import AppSettings, make_decode_config
    from engine.__main__ import build_parser
    from engine.decode_config import chat_decoding
    from engine.tasks.chat import _decode_config

    default = chat_decoding()
    command_line = _decode_config(build_parser(["reply", "hi"]).parse_args(["reply", "hi"]))
    app = make_decode_config(AppSettings().decoding())
    search = ("strategy", "beam_size", "length_penalty", "n_best", "mmi_weight", "mmi_search_weight",
              "mmi_backward_weight", "mmi_candidates", "mmi_samples", "topic_weight")
    for name in search:
        assert getattr(command_line, name) == getattr(default, name), name
        assert getattr(app, name) == getattr(default, name), name
