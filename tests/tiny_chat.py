"""A tiny real chat model, shared by the fine-tuning tests of the engine and of the panel."""
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
