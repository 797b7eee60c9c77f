"""chatapp's engine: text, recurrent models, decoding, training and checkpoints.

No Qt and no SQL here: the desktop app, the command line and the tests all use this package
through the same small API (``engine.service.Engine``).
"""
import argparse

__version__ = "0.1.0"

# How strongly chat replies are reranked toward what the user said by default (``RerankConfig.mmi_weight``):
# the command line starts from it, and the app's settings start from the same value.
MMI_WEIGHT = 0.5
# and how much the backward model's log p(turn | reply), per turn token, counts in the reranking
# (``RerankConfig.mmi_backward_weight``; only where a backward model is loaded).
MMI_BACKWARD_WEIGHT = 3.0
# and how many of the beam's finished replies the reranking chooses from (``RerankConfig.mmi_candidates``).
MMI_CANDIDATES = 10
# How much of the topic words' association with the turn each word's log-probability gains
# (``RerankConfig.topic_weight``; only where topic words are loaded, ``engine.topic``). On the
# validation split, 0.5 took the memory model's replies that share a word with the person's real
# reply from 0.150 to 0.255 and distinct-2 from 0.384 to 0.502, perplexity unchanged; 0.75 gained a
# little more (0.290, 0.565) but made it name a value for a fact it was never told twice as often
# (resources/models/MODEL_CARD.md).
TOPIC_WEIGHT = 0.5
MAX_TOPIC_WEIGHT = 3.0  # beyond it the topic words outweigh the network and replies become word lists
# How much the reranking favours replies that draw on the earlier conversation
# (``RerankConfig.history_weight``, memory models only): per token, log p(reply | conversation) -
# log p(reply | the turn alone). On the validation split (the shipped weights, 100 conversations a
# cell) 0.25 took held-out phrasings from 0.416 to 0.456 (mean of gaps) and corrected facts from
# 0.75 to 0.77, and cost abstaining when untold 0.44 -> 0.36; 0.5 gained more (0.498) and cost more
# (0.25) (MODEL_CARD.md, docs/experiments.md).
HISTORY_WEIGHT = 0.25
MAX_HISTORY_WEIGHT = 3.0
# How much kindness gains and cheer loses where the turn is bad news of the user's
# (``RerankConfig.mood_weight``, memory models; ``engine.tasks.chat_mood``). Chosen on fifteen turns
# of bad news and ten that want no sympathy of my own; written before any reply, twenty openers and
# twenty conversations had their bad news answered kindly 8 of 14 and 10 of 15 times (1 and 1 with
# it off), with cheer 2 and 1 times (4 and 5); thirty conversations written before VADER's second
# reading of bad news, 7 of 20 (0 off), and two of ten opinions got sympathy (docs/experiments.md,
# session 27).
MOOD_WEIGHT = 4.0
MAX_MOOD_WEIGHT = 10.0


MMI_FIELDS = ("mmi_weight", "mmi_candidates", "mmi_backward_weight", "topic_weight", "history_weight",
              "mood_weight", "stored_answers")


def add_mmi_arguments(parser) -> None:
    """The reranking and topic-word options of every command that writes chat replies (reply, chat,
    eval chat, eval memory), each named as the ``RerankConfig`` field it sets (``MMI_FIELDS``)."""
    parser.add_argument("--mmi-weight", type=float, default=MMI_WEIGHT,
                        help="beam search: rerank by log p(reply | turn) - W * log p(reply), which favours "
                             "replies about what was said over generic ones (0: off)")
    parser.add_argument("--mmi-candidates", type=int, default=MMI_CANDIDATES,
                        help="how many of the beam's finished replies the reranking chooses from")
    parser.add_argument("--mmi-backward-weight", type=float, default=MMI_BACKWARD_WEIGHT,
                        help="beam search: add this much of the backward model's mean log p(turn token | reply) "
                             "to each reply's reranking score (0: off; needs chat_backward.safetensors)")
    parser.add_argument("--topic-weight", type=float, default=TOPIC_WEIGHT,
                        help="every strategy: add this much of each word's association with the turn's words "
                             "(counted over the training corpus) to its log-probability until the reply says it; "
                             "the reranking counts the same bonus (0: off; needs chat_topic.safetensors)")
    parser.add_argument("--history-weight", type=float, default=HISTORY_WEIGHT,
                        help="beam search, memory models: add this much of each reply's per-token "
                             "log p(reply | conversation) - log p(reply | the turn alone), which favours replies "
                             "that draw on what was said earlier, such as a fact told (0: off)")
    parser.add_argument("--mood-weight", type=float, default=MOOD_WEIGHT,
                        help="beam search, memory models: to a turn the sentiment model reads as bad news, "
                             "sympathetic replies join the candidates and a reply's cheer counts this much "
                             "against it (0: off)")
    parser.add_argument("--stored-answers", action=argparse.BooleanOptionalAction, default=True,
                        help="beam search with stored pairs: the retrieved pairs' answers join the reranked "
                             "replies, scored by the model")


def mmi_settings(args) -> dict:
    """The ``RerankConfig`` fields that ``add_mmi_arguments``' options set."""
    return {name: getattr(args, name) for name in MMI_FIELDS}
