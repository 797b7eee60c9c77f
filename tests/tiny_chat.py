"""A tiny real chat model, shared by the fine-tuning tests of the engine and of the panel."""
import random
from pathlib import Path

# Conversations of equal length: train_chat may end an epoch once half its rows are idle.
BASE = [["hello there", "hi! how are you?", "i am fine thanks", "good to hear"],
        ["what is your name?", "i am a little bot", "nice to meet you", "nice to meet you too"],
        ["do you like music?", "yes i love jazz", "what else?", "i like books"],
        ["is it quiet there?", "no i prefer silence", "why is that?", "it helps me think"]]

# Five short conversations, one where the right reply depends on turn 1 (the engine's model tests).
MEMORY = [
    ["my name is alice", "hello alice", "what is my name ?", "alice"],
    ["my name is bob", "hello bob", "what is my name ?", "bob"],
    ["how are you ?", "fine thanks", "do you like music ?", "yes , jazz"],
    ["hi", "hey there"],
    ["where are you from ?", "from the sea", "nice", "thank you"],
]


def train_tiny_model(folder: Path) -> Path:
    from engine.tasks.chat_train import train_small_model

    path = folder / "chat.safetensors"
    train_small_model(BASE, path, epochs=80)
    return path


def same_alternatives(first, second, abs_tolerance: float = 1e-6) -> bool:
    """Whether two ``Reply.alternatives`` lists hold the same texts in the same order with
    scores equal within ``abs_tolerance`` (pytest.approx compares no lists of tuples)."""
    if [text for text, _ in first] != [text for text, _ in second]:
        return False
    return all(abs(a - b) <= abs_tolerance for (_, a), (_, b) in zip(first, second))


# A tiny memory model that reads stored pairs (engine and window tests of the knowledge memory):
# asked for a thing's code, it says back the code stored under a paraphrase beside another thing's.
THINGS = ("door", "safe", "wifi", "gate", "locker", "bike", "garage", "alarm")
CHAT = (("how are you ?", "i am fine"), ("hello there", "hi , nice to see you"), ("what a nice day", "yes it is sunny"))


def _code(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) + str(rng.randint(2, 99))


def _conversations(rng: random.Random, count: int):
    """(turns, knowledge per exchange): a code asked for, stored under a paraphrase beside another
    thing's code; or small talk beside an unrelated stored code."""
    out = []
    for _ in range(count):
        thing, other = rng.sample(THINGS, 2)
        code, decoy = _code(rng), _code(rng)
        stored = [(f"{thing} code please", f"the code is {code}"), (f"{other} code please", f"the code is {decoy}")]
        rng.shuffle(stored)
        if rng.random() < 0.6:
            out.append(([f"what is the code for the {thing} ?", f"the code is {code}"], [stored]))
        else:
            out.append((list(rng.choice(CHAT)), [stored[:1]]))
    return out


def train_knowing_model(count: int = 240):
    """(model, vocab): trained on ``count`` of those conversations; every code is a made-up word,
    outside the vocabulary, so it can only be copied from the stored pair."""
    import torch

    from engine.chat_training import TrainConfig, train_chat
    from engine.data.chat import encode_conversation
    from engine.models.memory_chat import MemoryChat
    from engine.models.seq2seq import Seq2SeqConfig
    from engine.text import Vocab, tokenize

    data = _conversations(random.Random(0), count)
    vocab = Vocab.build([tokenize(t) for turns, _ in data for t in turns if not any(c.isdigit() for c in t)]
                        + [tokenize(q) for _, (pairs,) in data for q, _ in pairs], min_count=1)
    torch.manual_seed(0)
    model = MemoryChat(Seq2SeqConfig(vocab_size=len(vocab), embedding_size=32, hidden_size=48, attention_size=24,
                                     dropout=0.0, cutoffs=(), memory_tokens=64, knowledge_pairs=2))
    streams = [encode_conversation(turns, vocab, 32, 32, 0, True, knowledge) for turns, knowledge in data]
    train_chat(model, streams, [], vocab,
               TrainConfig(epochs=25, batch_size=24, learning_rate=1e-2, min_learning_rate=1e-3, warmup_steps=10,
                           tbptt_turns=1, valid_every=10**9, min_active_rows=0.0), torch.device("cpu"))
    return model.eval(), vocab
