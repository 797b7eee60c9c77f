"""Replies in tune with the turn's mood, a side of ``ChatPredictor``.

The chat network learnt its replies to news from conversations where bad news is rare, so to "my
dog died yesterday" or "i feel really lonely" its likeliest replies are cheerful ("Aww, I love
dogs.", "I'm glad you're happy!"). Where a turn is bad news of the user's
(:meth:`MoodReplies.bad_news`: a short turn about themselves that the shipped sentiment
classifier, ``engine.tasks.sentiment``, and VADER's lexicon both read as negative), the model's
own replies that begin with sympathy (:data:`SYMPATHY`) join the candidates, so that there is a
kind reply to choose where the search found none, and the reranking weighs each reply's kindness
and cheer (``RerankConfig.mood_weight``, :meth:`MoodReplies.in_tune`). The replies are the
model's; only the first words of the sympathetic ones are given.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional

from engine.checkpoint import CheckpointError
from engine.decoding import Hypothesis
from engine.lexicon import lexicon_scores
from engine.text import tokenize

# A turn of the user's own news that the sentiment classifier finds likelier negative than positive
# is bad news where the classifier finds it negative with at least this probability
BAD_NEWS = 0.5
# and VADER's compound score of it is at most this,
LEXICON_BAD = -0.25
# or where VADER's compound score is at most this.
LEXICON_SURE = -0.4
# A misfortune (tells_misfortune) is bad news unless VADER's compound score of it is at least this.
LEXICON_CHEER = 0.5
# News of the user's own is a short turn (at most this many tokens) that begins with them.
NEWS_TOKENS = 12
_OWN = frozenset(("i", "i'm", "im", "i've", "i'd", "i'll", "my", "we", "we're", "we've", "our"))
# Cries and fillers before the news ("ugh, i failed my exam", "omg we won!"): the news is the user's still.
_CRIES = frozenset("ugh argh oh ohh omg wow yay hooray woohoo well so man guys welp sigh hey ! ,".split())
# The first words of the sympathetic replies the model is asked for to bad news,
SYMPATHY = "i'm sorry"
# and of those to good news.
CONGRATULATIONS = "congratulations"


class MoodReplies:
    """Mixed into ``ChatPredictor``: the sentiment classifier it reads turns and replies with
    (loaded on first use from ``mood_path``; none where that is missing or broken: ``mood_note``
    says why, and replies are then chosen as if ``mood_weight`` were 0)."""

    mood_path: Optional[Path] = None
    mood_note = ""
    _mood = None

    def attach_mood(self, path: Optional[Path]) -> None:
        """Read turns' moods with the sentiment classifier at ``path`` (None: never)."""
        self.mood_path, self._mood, self.mood_note = path, None, "" if path is not None else "not asked for"

    def mood_judge(self):
        """The loaded sentiment classifier, or None (``mood_note`` says why)."""
        if self._mood is None and self.mood_path is not None and not self.mood_note:
            if not self.mood_path.is_file():
                self.mood_note = f"no sentiment model at {self.mood_path.name}"
                return None
            from engine.tasks.sentiment import SentimentPredictor

            try:
                self._mood = SentimentPredictor.load(self.mood_path, self.device)
            except (CheckpointError, OSError, ValueError, KeyError) as error:
                self.mood_note = f"{self.mood_path.name}: {error}"
        return self._mood

    def bad_news(self, text: str, weight: float) -> bool:
        """Whether ``text`` is bad news of the user's: their own news (:func:`own_news`), likelier
        negative than positive to the sentiment classifier also with its negations taken out
        (:func:`unnegated`: "no i don't" or "i can't decide what to eat" declines, it tells no bad
        news), and either negative to it with at least :data:`BAD_NEWS` and to VADER's lexicon
        (compound at most :data:`LEXICON_BAD`), or clearly negative to VADER (at most
        :data:`LEXICON_SURE`: "my mom is sick", which the classifier reads 0.47 negative). In
        conversation most negative turns are opinions ("i think that it is not coincidence"),
        where sympathy is beside the point: the readers must agree. Both read what happened
        (:func:`what_happened`), not to whom: "my best friend died" is no kinder for "best friend".
        A misfortune the readers do not know (:func:`tells_misfortune`, in what happened or in
        the whole turn: "my grandma is in the hospital", "i got laid off", "my grandmother's
        funeral is tomorrow") is bad news where VADER does not read it as cheerful (under
        :data:`LEXICON_CHEER`: it reads "intensive care" +0.49 for "care"). False also where
        ``weight`` is 0 or there is no classifier."""
        judge = self.mood_judge() if weight > 0 and own_news(text) else None
        if judge is None:
            return False
        whole, text = text.lower(), what_happened(text)
        if (tells_misfortune(text) or tells_misfortune(whole)) and lexicon_scores([text])[0][3] < LEXICON_CHEER:
            return True
        rows = judge.probabilities([text, unnegated(text)])
        if any(row is None or row[0] <= row[2] for row in rows):
            return False
        lexicon = lexicon_scores([text])[0][3]
        return lexicon <= LEXICON_SURE or lexicon <= LEXICON_BAD and all(row[0] >= BAD_NEWS for row in rows)

    def good_news(self, text: str, weight: float) -> bool:
        """Whether ``text`` is good news of the user's: their own news (:func:`own_news`) of a
        milestone (:func:`tells_milestone`) that is no bad news (:meth:`bad_news`) and that VADER
        does not read as negative. The sentiment readers cannot tell good news from a cheerful
        opinion ("i love pizza" is read as more positive than "my sister had a baby girl"), so
        what happened is read from the milestones people congratulate on. False also where
        ``weight`` is 0 or there is no classifier."""
        if weight <= 0 or not own_news(text) or not tells_milestone(text) or self.mood_judge() is None:
            return False
        return lexicon_scores([text])[0][3] >= 0 and not self.bad_news(text, weight)

    def in_tune(self, hypotheses: list[Hypothesis], says: Callable[[Hypothesis], str],
                weight: float, good: bool = False) -> list[Hypothesis]:
        """``hypotheses`` to bad news (:meth:`bad_news`), each with ``weight`` times (1 for a reply
        that begins with sympathy (:func:`sympathises`), 0 else, less p(reply positive)) added to
        its ``prior``: kindness is in tune with bad news, cheer is not; to good news (``good``:
        :meth:`good_news`), 1 for a reply that begins with congratulations (:func:`congratulates`)
        less p(reply negative). ``says(h)``: the reply's text. The classifier's p(turn negative)
        is not weighed in: it reads "i lost my job today" 0.55 negative and "i'm so tired and sad"
        0.83, and both are bad news."""
        if weight <= 0 or not hypotheses:
            return hypotheses
        texts = [says(h) for h in hypotheses]
        rows = self.mood_judge().probabilities(texts)
        in_tune, out_of_tune = (congratulates, 0) if good else (sympathises, 2)
        return [replace(h, prior=h.prior + weight * (in_tune(text) - (row[out_of_tune] if row else 0.0)))
                for h, text, row in zip(hypotheses, texts, rows)]


_NEGATED = {"can't": "can", "cant": "can", "cannot": "can", "won't": "will", "wont": "will", "ain't": "is",
            **{word + "nt": word for word in "do does did is was are were has have had would could should".split()}}
_NEGATION = re.compile(r"\b(?:no|not|never|nothing|nobody|none|nor|neither)\b|n't\b")


def negated(text: str) -> bool:
    """Whether ``text`` (lower case, straight apostrophes) says no, not, never or "-n't"."""
    return bool(_NEGATION.search(text))


# What the user's days are made of, which news of theirs may begin with ("work has been really
# stressful", "today was awful", "life is hard right now").
_OWN_DAYS = frozenset("work school college uni class life today tonight everything things".split())


def own_news(text: str) -> bool:
    """Whether ``text`` reads as news of the user's own: at most :data:`NEWS_TOKENS` tokens, the
    first "i", "my", "we" or "our", or what their days are made of (:data:`_OWN_DAYS`: "work has
    been really stressful"), after any cries (:data:`_CRIES`: "my dog died yesterday", "ugh,
    i'm so stressed about work"), and no
    question ("my name?", "i wonder, do you like horror movies?" ask something)."""
    words = tokenize(text)
    first = next((word for word in words if word not in _CRIES), "")
    return 0 < len(words) <= NEWS_TOKENS and (first in _OWN or first in _OWN_DAYS) and "?" not in words


# The words that end the subject of news about someone of the user's ("my best friend | died",
# "my dad | has cancer"): a verb such as these, or any word ending "-ed".
_VERBS = frozenset("is are was were has have had got gets get just been be isn't wasn't aren't weren't "
                   "hasn't haven't didn't won't can't will".split())
# Ways of saying someone died that the readers do not know, and what they mean.
_PLAINLY = ((re.compile(r"\bpass(?:ed|es|ing)? away\b"), "died"),)  # not "i'll pass on the cake"


def what_happened(text: str) -> str:
    """``text`` (lower case) as what happened: without the subject of news about someone of the
    user's ("my best friend died" -> "died", "my dad has cancer" -> "has cancer"), where a verb
    (:data:`_VERBS`, or a word ending "-ed") ends it, and with a death said plainly ("my grandpa
    passed away" -> "died"). The lexicon reads "best" and "friend" as cheerful and knows no
    "passed away"."""
    words = text.lower().replace("\u2019", "'").split()
    if words and words[0] in ("my", "our"):
        end = next((i for i in range(1, len(words)) if words[i] in _VERBS or words[i].endswith("ed")), 0)
        words = words[end:]
    said = " ".join(words)
    for way, plainly in _PLAINLY:
        said = way.sub(plainly, said)
    return said


# Milestones people congratulate each other on, as the user tells them of themselves or their own
# ("i got promoted", "my daughter was born this morning", "we adopted a kitten"). Not "i passed
# out", "i passed the salt", "i was born in Lagos", "i'm married", "i finished dinner" or "my first car
# was a ford".
_MILESTONE = re.compile("|".join((
    r"\b(?:got|just) (?:engaged|married)\b", r"\b(?:i'm|we're|is|are) (?:now )?engaged\b",
    r"\bgetting married\b", r"\bpromoted\b",
    r"\bgot (?:a|the) promotion\b", r"\bgraduated\b",
    r"\bpassed (?:my|the|his|her|our|all)(?: \w+)? (?:tests?|exams?|finals|course|class|interview|audition|bar"
    r"|boards)\b",
    r"\bwon (?:a|the|my|our|an)\b", r"\bgot into (?!(?:a|an|trouble|debt|bed|it)\b)", r"\bgot in\b(?!\s*\w)",
    r"\bgot (?:accepted|hired|the job|a job|the part|the lead|the scholarship|a scholarship|a raise"
    r"|my (?:license|licence|driver's license))\b",
    r"\baccepted (?:into|to|at)\b", r"\bgot a job offer\b", r"\bpregnant\b", r"\bexpecting a baby\b",
    r"\bgoing to be a (?:dad|mom|mum|father|mother|parent)\b",
    r"\bhad (?:a|the|her|our|my) baby\b", r"\bhad twins\b", r"(?<!\bi )(?<!\bwe )\b(?:was|were) born\b",
    r"\bbought (?:a|my|our) (?:first |new )?(?:house|home|flat|apartment|car)\b",
    r"\b(?:finished|completed|defended) (?:my|our|his|her) (?:thesis|degree|dissertation|exams|studies|phd|first)\b",
    r"\b(?:ran|finished|completed) (?:a|my|our|his|her) (?:first )?(?:half )?(?:marathon|race)\b",
    r"\bfirst (?:steps|words|gig)\b", r"\bgot (?:published|signed)\b",
    r"\b(?:book|novel|paper) (?:got|was) (?:published|accepted)\b",
    r"\bnew (?:job|puppy|kitten|baby)\b", r"\badopted (?:a|our|my)\b", r"\baced\b", r"\bquit smoking\b")))
# Feeling low, as people say it ("i've been feeling anxious lately", "i'm so overwhelmed"), which VADER
# reads as mild ("feeling anxious" -0.13) or not at all ("overwhelmed"); "down" and "low" only after
# "feel" (not "i'm down to earth").
_SO = r"(?:so |really |very |a bit |a little |kind of |pretty |quite |super |extremely )?"
_LOW = (r"(?:anxious|depressed|lonely|overwhelmed|stressed|miserable|heartbroken|hopeless|down|low|awful|terrible"
        r"|sick|ill|sad|scared|worried|nervous|exhausted|burnt out|burned out|homesick)")
# Misfortunes that neither reader knows as such (VADER has no "hospital", "surgery", "laid off",
# "divorce", "flooded"; the classifier reads "my mom is in hospital" 0.32 negative), as the user
# tells them of themselves or their own. Not "i crashed on the couch", "on accident", "my sister is a
# nurse at the hospital" or "a movie about a divorce".
_MISFORTUNE = re.compile("|".join((
    r"\b(?:is|am|i'm|im|was|been|are|were|we're|she's|he's|still|now|back) (?:still |now |back )?in (?:the )?"
    r"(?:hospital|icu|intensive care|er)\b", r"\bin intensive care\b",
    r"\b(?:needs?|having|had|has|got|getting|undergoing) (?:an? )?(?:emergency )?(?:surgery|operation)\b",
    r"\b(?:has|have|had|got|caught|diagnosed with) (?:the )?(?:cancer|covid|flu|pneumonia|a stroke"
    r"|a heart attack|dementia)\b", r"\bdiagnosed with\b", r"\bmiscarriage\b",
    r"\bbroke (?:his|her|my|their|our) (?:leg|arm|wrist|ankle|hip|nose|back|foot|hand)\b",
    r"\bbroke up with\b", r"\b(?:we|they) broke up\b", r"\bleft me\b", r"\bcheated on\b",
    r"\b(?:getting|got) (?:a )?divorced?\b", r"\bdivorcing\b", r"\bstopped (?:talking|speaking) to me\b",
    r"\blaid off\b", r"\bgot (?:fired|sacked|evicted|mugged|robbed)\b", r"\bevicted\b",
    r"\blost (?:my|his|her|our|their) (?:job|house|home|wallet|phone|keys|dog|cat|mom|dad|mother|father)\b",
    r"\b(?:an?|the|car|bike|bus|train) (?:crash|accident)\b", r"\bcrashed (?:my|his|her|our|the) car\b",
    r"\b(?:flooded|burned down|burnt down|broken into|robbed|stolen)\b", r"\bran away\b",
    r"\bfailed (?:my|the|his|her|our)\b", r"\bfuneral\b", r"\bbroke down\b",
    r"\b(?:got|was|were|been|get|gets|getting) (?:hit|run over) by\b",
    r"\b(?:didn't|did not|didnt) get (?:the|that|my|a) (?:job|part|role|place|promotion|scholarship)\b",
    r"\b(?:got|was|been|were) (?:rejected|turned down)\b",
    rf"(?<!not )(?<!n't )(?<!never )\b(?:feel|feels|feeling|felt) {_SO}{_LOW}\b",
    rf"\b(?:i'm|im|i am|been) {_SO}(?!down\b|low\b){_LOW}\b",
    r"\bi (?:really |still |just )?miss (?:her|him|them|my|our)\b",
    r"\b(?:can't|cant|cannot|couldn't|couldnt) (?:get to )?sleep\b", r"\b(?:haven't|hasn't|havent) slept\b")))


def tells_misfortune(text: str) -> bool:
    """Whether ``text`` (lower case, as :func:`what_happened` reads it) tells a misfortune
    (:data:`_MISFORTUNE`)."""
    return bool(_MISFORTUNE.search(text))


_JOINED = re.compile(r"\b(?:and|but|though|although)\b")


def tells_milestone(text: str) -> bool:
    """Whether ``text`` (read as what happened: :func:`what_happened`) tells a milestone
    (:data:`_MILESTONE`) and nothing else: without a negation ("i didn't pass my exam") and in one
    clause (not "i got engaged but my parents are angry", nor "our baby was born early and is in
    intensive care")."""
    said = what_happened(text)
    return bool(_MILESTONE.search(said)) and not negated(said) and not _JOINED.search(said)


def unnegated(text: str) -> str:
    """``text`` without its negations ("i can't decide" -> "i can decide", "no i don't" -> "i do")."""
    words = re.sub(r"[\w']+", lambda m: _NEGATED.get(m.group(0), m.group(0)), text.lower().replace("\u2019", "'"))
    return " ".join(_NEGATION.sub("", words).split())


_SYMPATHY_STARTS = ("i'm sorry", "i am sorry", "sorry", "oh no", "that's terrible", "that is terrible",
                    "that's awful", "that is awful", "that's too bad", "that is too bad")


_FAREWELL = re.compile(r"\b(?:bye|goodbye|good night|have to go|got to go|gotta go|nice (?:talking|chatting|meeting)"
                       r"|talk to you later|see you)\b")


def says_goodbye(text: str) -> bool:
    """Whether ``text`` takes leave ("I have to go now.", "It was nice talking to you!")."""
    return bool(_FAREWELL.search(text.lower()))


def congratulates(text: str) -> bool:
    """Whether ``text`` begins with congratulations ("Congratulations! That's awesome!")."""
    return text.lower().lstrip().startswith(("congratulations", "congrats"))


def sympathises(text: str) -> bool:
    """Whether ``text`` begins with sympathy ("I'm sorry to hear that.", "Oh no!")."""
    return text.lower().replace("\u2019", "'").startswith(_SYMPATHY_STARTS)
