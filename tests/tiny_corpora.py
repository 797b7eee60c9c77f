"""Tiny files in the formats of the corpora read from --corpus-dir, written into a test's folder."""
import csv
import json
from pathlib import Path

TOPICAL = {
    "valid_freq": {
        "t_1": {"content": [{"message": "Do you like football?", "agent": "agent_1"},
                            {"message": "Yes I do.", "agent": "agent_2"},
                            {"message": "Me too!", "agent": "agent_2"},  # same speaker: joined
                            {"message": "Who is your team?", "agent": "agent_1"}]},
        "t_2": {"content": [{"message": "Hi", "agent": "agent_1"}, {"message": "Hello", "agent": "agent_2"}]},
    },
    "valid_rare": {"t_3": {"content": [{"message": "Have you read a book lately?", "agent": "agent_1"},
                                       {"message": "  A good one,\n yes. ", "agent": "agent_2"}]}},
    "test_freq": {"t_4": {"content": [{"message": "Music?", "agent": "agent_1"},
                                      {"message": "Jazz.", "agent": "agent_2"}]}},
    "test_rare": {f"t_{i}": {"content": [{"message": f"question {i}", "agent": "agent_1"},
                                         {"message": f"answer {i}", "agent": "agent_2"}]} for i in range(5, 25)},
}

PERSONA = {
    "valid": [
        "User 1: Hi!\nUser 2: Hello! How are you?\nUser 1: Fine, thanks.",
        # starred speakers, a stage direction, a continued turn, a speaker's two lines joined
        "*User 1:* What do you cook?\n[Later]\nUser 2: Tacos.\nFirst the onions,\nthen the rest.\n"
        "User 2: Want the recipe?\n* User 1: Yes please! *",
        "",  # an empty conversation: skipped with its line
    ],
    "test": [f"User 1: line {i}\nUser 2: reply {i}" for i in range(20)],
}

# (persona, question, answer): "hug" questions share an answer; "age" questions are asked of every persona.
PERSONALITY = [
    ("friend", "Hug me", "Giving you a virtual hug right now."),
    ("friend", "I need a hug", "Giving you a virtual hug right now."),
    ("friend", "How old are you?", "I don't really have an age."),
    ("friend", "What's your age?", "I don't really have an age."),
    ("professional", "How old are you?", "Age doesn't really apply to me."),
    ("comic", "What's your age?", "I'm age-free."),
] + [(persona, f"Question {i}?", f"Answer {i} from the {persona}.") for persona in ("friend", "professional", "comic")
     for i in range(12)]


def write_corpora(folder: Path, personality_extra: str = "") -> Path:
    """Write the three corpora under ``folder``; ``personality_extra`` is appended to the friend TSV."""
    (folder / "topical-chat").mkdir(parents=True)
    for name, data in TOPICAL.items():
        (folder / "topical-chat" / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (folder / "synthetic-persona-chat").mkdir()
    for name, rows in PERSONA.items():
        with open(folder / "synthetic-persona-chat" / f"Synthetic-Persona-Chat_{name}.csv", "w",
                  encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["user 1 personas", "user 2 personas", "Best Generated Conversation"])
            for row in rows:
                writer.writerow(["I like tea.\nI have a cat.", "I am tall.", row])
    (folder / "personality-chat").mkdir()
    for persona in ("friend", "professional", "comic"):
        lines = ["Question\tAnswer\tSource\tMetadata"]
        lines += [f"{q}\t{a} \tqna_chitchat_the_{persona}\teditorial:chitchat"
                  for p, q, a in PERSONALITY if p == persona]
        text = "\r\n".join(lines) + "\r\n" + (personality_extra if persona == "friend" else "")
        # the comic file starts with a byte-order mark, as the published one does
        (folder / "personality-chat" / f"qna_chitchat_the_{persona}.tsv").write_text(
            ("\ufeff" if persona == "comic" else "") + text, encoding="utf-8")
    return folder
