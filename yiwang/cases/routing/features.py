"""Turning a case's text into features: words from rjieba with their pairs, and character n-grams.

Words carry the meaning (油烟, 拖欠, 物业费); character n-grams catch what segmentation misses — rjieba cuts 路灯不亮
into 路 / 灯不亮 — and survive typos and the input method's homophones (拉圾, 反应). The functions are module-level so
that a fitted vectoriser pickles by reference.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

import rjieba

_SPACE = re.compile(r"\s+")
# Words that say nothing about where a case belongs (greetings, fillers, politeness, pronouns).
STOP_WORDS = frozenset(
    (
        "你好", "您好", "喂", "我", "俺", "我们", "俺们", "你们", "恁", "他", "他们", "她", "的", "了",
        "着", "呢", "吗", "吧", "啊", "呀", "嗯", "那个", "就是", "这个", "一下", "一个", "是", "在",
        "有", "也", "都", "就", "还", "和", "跟", "说", "想", "要", "请", "麻烦", "谢谢", "感谢",
        "尽快", "希望", "反映", "反应", "问题", "情况", "咨询", "问问", "问一下", "想问", "处理", "有关",
        "部门", "相关",
        "一直", "现在", "已经", "最近", "不", "没", "很", "太", "又", "再", "把", "被", "给", "让",
        "从", "到", "对", "能", "会", "这", "那", "哪", "什么", "啥", "怎么", "咋", "中不中", "是这样",
        "咋说",
    )
)  # fmt: skip


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, one space between words."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def words(text: str) -> list[str]:
    """The words of a text (search-mode segmentation, stop words and punctuation dropped) and adjacent pairs."""
    tokens = [
        token
        for token in rjieba.cut_for_search(normalise(text))
        if token.strip() and token not in STOP_WORDS and any(character.isalnum() for character in token)
    ]
    return tokens + [f"{first} {second}" for first, second in itertools.pairwise(tokens)]


class Vectoriser:
    """TF-IDF of words and pairs, and of character 2–3-grams (sublinear counts), side by side in one sparse matrix.

    Two scikit-learn vectorisers stacked by hand: `FeatureUnion` runs its parts through joblib, which costs more than
    the vectorising itself for one text."""

    def __init__(self, words_part: Any, characters_part: Any) -> None:
        self.words = words_part
        self.characters = characters_part

    @classmethod
    def new(cls, *, max_features: int = 60000) -> Vectoriser:
        """A fresh, unfitted vectoriser."""
        import numpy
        from sklearn.feature_extraction.text import TfidfVectorizer

        return cls(
            # Every word, even one seen once: a catalogue keyword is often in one text only.
            TfidfVectorizer(analyzer=words, sublinear_tf=True, max_features=max_features, dtype=numpy.float32),
            TfidfVectorizer(
                analyzer="char",
                preprocessor=normalise,
                ngram_range=(2, 3),
                sublinear_tf=True,
                min_df=2,
                max_features=max_features,
                dtype=numpy.float32,
            ),
        )

    def fit_transform(self, texts: list[str]) -> Any:
        from scipy.sparse import hstack

        return hstack([self.words.fit_transform(texts), self.characters.fit_transform(texts)], format="csr")

    def transform(self, texts: list[str]) -> Any:
        from scipy.sparse import hstack

        return hstack([self.words.transform(texts), self.characters.transform(texts)], format="csr")

    def forget_pruned_terms(self) -> None:
        """Drop the terms the vectorisers pruned (`stop_words_`): only for introspection, and large to pickle."""
        for part in (self.words, self.characters):
            if hasattr(part, "stop_words_"):
                part.stop_words_ = None
