"""chatapp's engine: text, recurrent models, decoding, training and checkpoints.

No Qt and no SQL here: the desktop app, the command line and the tests all use this package
through the same small API (``engine.service.Engine``).
"""
__version__ = "0.1.0"

# How strongly chat replies are reranked toward what the user said by default (``DecodeConfig.mmi_weight``):
# the command line starts from it, and the app's settings start from the same value.
MMI_WEIGHT = 0.5
# and how strongly, and for how many opening tokens, the beam search itself is pulled toward replies
# that this turn rather than any turn makes likely (``DecodeConfig.mmi_search_weight`` and ``_tokens``).
MMI_SEARCH_WEIGHT = 0.7
MMI_SEARCH_TOKENS = 2
# and how much the backward model's log p(turn | reply), per turn token, counts in the reranking
# (``DecodeConfig.mmi_backward_weight``; only where a backward model is loaded).
MMI_BACKWARD_WEIGHT = 3.0
# and how many of the beam's finished replies the reranking chooses from (``DecodeConfig.mmi_candidates``),
MMI_CANDIDATES = 10
# and how many sampled replies join them (``DecodeConfig.mmi_samples``).
MMI_SAMPLES = 32
# How much of the topic words' association with the turn each word's log-probability gains
# (``DecodeConfig.topic_weight``; only where topic words are loaded, ``engine.topic``).
TOPIC_WEIGHT = 0.75
MAX_TOPIC_WEIGHT = 3.0  # beyond it the topic words outweigh the network and replies become word lists


MMI_FIELDS = ("mmi_weight", "mmi_search_weight", "mmi_search_tokens", "mmi_candidates", "mmi_samples",
              "mmi_backward_weight", "topic_weight")


def add_mmi_arguments(parser) -> None:
    """The topic-focus options of every command that writes chat replies (reply, chat, eval chat),
    each named as the ``DecodeConfig`` field it sets (``MMI_FIELDS``)."""
    parser.add_argument("--mmi-weight", type=float, default=MMI_WEIGHT,
                        help="beam search: rerank by log p(reply | turn) - W * log p(reply), which favours "
                             "replies about what was said over generic ones (0: off)")
    parser.add_argument("--mmi-search-weight", type=float, default=MMI_SEARCH_WEIGHT,
                        help="beam search: lower each opening token's log-probability by this much of its "
                             "log-probability after any turn (0: off)")
    parser.add_argument("--mmi-search-tokens", type=int, default=MMI_SEARCH_TOKENS,
                        help="how many opening tokens --mmi-search-weight applies to")
    parser.add_argument("--mmi-candidates", type=int, default=MMI_CANDIDATES,
                        help="how many of the beam's finished replies the reranking chooses from")
    parser.add_argument("--mmi-samples", type=int, default=MMI_SAMPLES,
                        help="beam search: this many replies sampled from the model (temperature 0.8, top-p 0.9) "
                             "join the beam's for the reranking to choose from (0: the beam's alone)")
    parser.add_argument("--mmi-backward-weight", type=float, default=MMI_BACKWARD_WEIGHT,
                        help="beam search: add this much of the backward model's mean log p(turn token | reply) "
                             "to each reply's reranking score (0: off; needs chat_backward.safetensors)")
    parser.add_argument("--topic-weight", type=float, default=TOPIC_WEIGHT,
                        help="add this much of each word's association with the turn's words (counted over the "
                             "training corpus) to its log-probability until the reply says it (0: off; needs "
                             "chat_topic.safetensors)")


def mmi_settings(args) -> dict:
    """The ``DecodeConfig`` fields that ``add_mmi_arguments``' options set."""
    return {name: getattr(args, name) for name in MMI_FIELDS}
