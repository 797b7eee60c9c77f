"""Pairs files: TSV, CSV and JSON read whole, or refused with one message naming the file and line."""
import json

import pytest

from engine.knowledge_files import PairsFileError, pair_problem, question_key, read_pairs
from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, KnowledgePair


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def refused(path) -> str:
    with pytest.raises(PairsFileError) as caught:
        read_pairs(path)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


# -- good files -----------------------------------------------------------------------------------
def test_tsv_with_header_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "pairs.tsv", "question\tanswer\n# the club\n\n"
                                        "what's the wifi password?\tmarmalade42\n"
                                        "  when do we meet?  \t Tuesdays at seven \n")
    assert read_pairs(path) == [KnowledgePair("what's the wifi password?", "marmalade42", "import"),
                                KnowledgePair("when do we meet?", "Tuesdays at seven", "import")]


def test_tsv_without_header_and_txt_extension(tmp_path):
    path = write(tmp_path, "faq.txt", "who are you\ta bot\n")
    assert read_pairs(path, source="user") == [KnowledgePair("who are you", "a bot", "user")]


def test_csv_with_quoted_commas_and_newlines_and_other_columns(tmp_path):
    path = write(tmp_path, "faq.csv", 'topic,Answer,Question\n'
                                      'club,"Tuesdays, at seven","when do we meet?"\n'
                                      'wifi,"first line\nsecond line",what is the password\n'
                                      'x,plain,third\n')
    assert read_pairs(path) == [KnowledgePair("when do we meet?", "Tuesdays, at seven", "import"),
                                KnowledgePair("what is the password", "first line\nsecond line", "import"),
                                KnowledgePair("third", "plain", "import")]


def test_json_objects_and_lists(tmp_path):
    objects = write(tmp_path, "a.json", json.dumps([{"question": "q one", "answer": "a one"},
                                                     {"question": "q two", "answer": "a two", "id": 3}]))
    lists = write(tmp_path, "b.json", json.dumps([["q one", "a one"], ["q two", "a two"]]))
    expected = [KnowledgePair("q one", "a one", "import"), KnowledgePair("q two", "a two", "import")]
    assert read_pairs(objects) == expected and read_pairs(lists) == expected


def test_unknown_extension_is_sniffed(tmp_path):
    assert read_pairs(write(tmp_path, "a.dat", '[["q", "a"]]'))[0].answer == "a"
    assert read_pairs(write(tmp_path, "b.dat", "q\ta\n"))[0].answer == "a"
    assert read_pairs(write(tmp_path, "c.dat", "question,answer\nq,a\n"))[0].answer == "a"
    assert "cannot tell the format" in refused(write(tmp_path, "d.dat", "just some words\n"))


def test_byte_order_mark_is_ignored(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeffquestion,answer\nq,a\n")
    assert read_pairs(path) == [KnowledgePair("q", "a", "import")]


# -- bad files ------------------------------------------------------------------------------------
def test_tsv_missing_column_names_the_line(tmp_path):
    path = write(tmp_path, "pairs.tsv", "q1\ta1\n# note\nq2 without an answer\n")
    assert refused(path).startswith("pairs.tsv, line 3: the answer column is missing")


def test_tsv_three_columns(tmp_path):
    assert refused(write(tmp_path, "pairs.tsv", "q1\ta1\tz\n")).startswith("pairs.tsv, line 1: 3 columns")


def test_empty_answer_names_the_line(tmp_path):
    lines = "".join(f"question {i}\tanswer {i}\n" for i in range(6)) + "question 6\t   \n"
    assert refused(write(tmp_path, "pairs.tsv", lines)) == "pairs.tsv, line 7: the answer is empty"


def test_empty_question(tmp_path):
    assert refused(write(tmp_path, "pairs.csv", "question,answer\nq,a\n,lonely\n")) == \
        "pairs.csv, line 3: the question is empty"


def test_csv_without_header_or_column(tmp_path):
    assert "the header has no question or answer column" in refused(write(tmp_path, "x.csv", "q,a\n"))
    assert "no answer column" in refused(write(tmp_path, "y.csv", "question,reply\nq,a\n"))
    message = refused(write(tmp_path, "z.csv", 'question,answer\n"multi\nline",a\nshort\n'))
    assert message == "z.csv, line 4: the answer column is missing"


def test_huge_answer_and_long_question(tmp_path):
    huge = write(tmp_path, "big.tsv", "q\ta\nbig\t" + "x" * 100_000 + "\n")
    assert refused(huge) == (f"big.tsv, line 2: the answer is 100,000 characters long "
                             f"(at most {MAX_ANSWER_CHARS:,})")
    long_q = write(tmp_path, "long.json", json.dumps([["q" * (MAX_QUESTION_CHARS + 1), "a"]]))
    assert "long.json, line 1: the question is" in refused(long_q)


def test_duplicate_questions_ignore_case_and_spaces(tmp_path):
    path = write(tmp_path, "dup.tsv", "What is  the time?\tnoon\nother\tthing\nwhat is the TIME?\tlater\n")
    assert refused(path) == ("dup.tsv, line 3: the question 'what is the TIME?' is already on line 1 "
                             "(each question may be there once)")


def test_json_line_numbers_and_shapes(tmp_path):
    text = '[\n  {"question": "a", "answer": "b"},\n  {"question": "c"}\n]'
    assert refused(write(tmp_path, "p.json", text)) == 'p.json, line 3: the item has no "answer"'
    assert "line 2: a list item must be [question, answer]" in refused(
        write(tmp_path, "l.json", '[["a", "b"],\n ["c"]]'))
    assert "line 1: each item must be" in refused(write(tmp_path, "n.json", "[1]"))
    assert "must be text" in refused(write(tmp_path, "t.json", '[["a", 3]]'))
    assert "a JSON pairs file is a list" in refused(write(tmp_path, "o.json", '{"question": "a"}'))
    assert "p2.json, line 2: this is not valid JSON" in refused(write(tmp_path, "p2.json", '[["a", "b"],\n oops]'))


def test_binary_file(tmp_path):
    path = write(tmp_path, "photo.tsv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert refused(path).startswith("photo.tsv: this is not a text file")


def test_non_utf8_file_names_the_line(tmp_path):
    path = write(tmp_path, "latin.tsv", "one\tfine\ncaf\u00e9\tau lait\n", encoding="latin-1")
    assert refused(path).startswith("latin.tsv, line 2: the text is not UTF-8")


def test_empty_files(tmp_path):
    assert refused(write(tmp_path, "e.tsv", "")) == "e.tsv: the file is empty"
    assert refused(write(tmp_path, "h.tsv", "question\tanswer\n# nothing yet\n")) == "h.tsv: the file holds no pairs"
    assert refused(write(tmp_path, "h.json", "[]")) == "h.json: the file holds no pairs"


def test_missing_file(tmp_path):
    assert refused(tmp_path / "gone.tsv").startswith("gone.tsv: the file cannot be read")


def test_question_key_and_pair_problem():
    assert question_key("  What's\tthe  WiFi ") == question_key("what's the wifi")
    assert pair_problem("q", "a") is None
    assert pair_problem(" ", "a") == "the question is empty"


def test_reading_pairs_needs_no_qt_sql_or_torch():
    from imports import packages_loaded_by

    loaded = packages_loaded_by("engine.knowledge_files")
    assert not loaded & {"PySide6", "sqlalchemy", "torch", "chatapp"}
