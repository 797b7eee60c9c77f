"""VADER (Hutto & Gilbert 2014) through nltk, with the lexicon shipped in the vaderSentiment
package: the sentiment classifier's anchor, and the whole-text scores and word valences it reads."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from engine.data.packages import installed_files
from engine.data.sentiment import LABEL_INDEX

NEG, NEU, POS = (LABEL_INDEX[label] for label in ("negative", "neutral", "positive"))


def _vader_file(name: str) -> Path:
    return installed_files("vaderSentiment", f"vaderSentiment/{name}")[0]


_analyzer = None


def vader():
    """nltk's ``SentimentIntensityAnalyzer`` over the lexicon shipped with vaderSentiment."""
    global _analyzer
    if _analyzer is None:
        import nltk.data
        from nltk.sentiment.vader import SentimentIntensityAnalyzer

        lexicon = _vader_file("vader_lexicon.txt")
        # nltk opens data files only under its data roots: make the package's folder one.
        if str(lexicon.parent) not in map(str, nltk.data.path):
            nltk.data.path.append(str(lexicon.parent))
        _analyzer = SentimentIntensityAnalyzer(lexicon_file="file:" + str(lexicon))
    return _analyzer


def vader_label(text: str, two_class: bool = False) -> int:
    """VADER's label: compound >= 0.05 positive, <= -0.05 negative, else neutral.

    With ``two_class`` the neutral band is folded by the larger of VADER's pos and neg shares.
    """
    scores = vader().polarity_scores(text)
    compound = scores["compound"]
    if compound >= 0.05:
        return POS
    if compound <= -0.05:
        return NEG
    if not two_class:
        return NEU
    return POS if (compound, scores["pos"]) >= (0.0, scores["neg"]) else NEG


def lexicon_scores(texts: Sequence[str]) -> list[list[float]]:
    """VADER's whole-text scores (negative, neutral and positive shares, compound) for each text.

    A classifier that reads them beside its tokens keeps VADER's rules for negation, contrast and
    emphasis on tweets about subjects it never saw, where its own word features say little.
    """
    analyzer = vader()
    return [[(scores := analyzer.polarity_scores(text or ""))["neg"], scores["neu"], scores["pos"],
             scores["compound"]] for text in texts]


def lexicon_valence() -> dict[str, float]:
    """Token -> valence in [-1, 1]: VADER's words (mean rating / 4) and its emoji (by description)."""
    valence: dict[str, float] = {}
    for line in _vader_file("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            valence[parts[0].strip().lower()] = max(-1.0, min(1.0, float(parts[1]) / 4.0))
    analyzer = vader()
    for line in _vader_file("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        if emoji and description:
            score = analyzer.polarity_scores(description)["compound"]
            if score:
                valence.setdefault(emoji.strip(), score)
    return valence
