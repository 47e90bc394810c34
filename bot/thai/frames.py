"""Short requests read by their words, in any order: 'มีอบรมไหมคะ', 'เบอร์เปลี่ยนค่ะ', 'ขอยกเลิกอบรมค่ะ'.

`bot.thai.match_keyword` takes a message that *is* a command word (with particles, typos and polite
wrappers forgiven). Members also ask in sentences of their own: 'ช่วงนี้มีอบรมอะไรบ้าง',
'สมัครเข้าอบรมได้ที่ไหนคะ', 'ขอดูข้อมูลที่ลงทะเบียนไว้'. Here such a message is cut, longest word first,
into words of a small vocabulary, each standing for a concept ("event", "register", "cancel", … or
nothing: ขอ, ค่ะ, เดือนนี้, ไหม); a frame names the concepts an intent needs. A message is read only when
it is short and nearly all of it is known words (at most `MAX_UNKNOWN` letters are not), so a sentence
about something else ('อบรมเมื่อวานสนุกมาก', 'ทำไมยังไม่ได้รับเงิน') starts nothing.

Pure and offline like the rest of bot.thai; the vocabulary and frames belong to the conversations
(handlers/phrasings.py) and are handed in.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .keywords import _clean_remembered

MAX_LETTERS = 40  # longer messages are reports or questions, not requests for a conversation
MAX_UNKNOWN = 2  # letters outside the vocabulary (a typo, a stretched letter)
FILLER = ""  # the concept of words that carry none (particles, polite words, times, question words)


@dataclass(frozen=True)
class Frame:
    """`intent` when every set in `needs` has a concept in the message and none of `forbids` is there."""

    intent: str
    needs: tuple[frozenset[str], ...]
    forbids: frozenset[str] = frozenset()

    def fits(self, concepts: set[str]) -> bool:
        return all(concepts & need for need in self.needs) and not concepts & self.forbids


def frame(intent: str, *needs: str, forbids: str = "") -> Frame:
    """`frame("event.register", "register", "event")`: each need is a concept or several joined by "|"."""
    return Frame(intent, tuple(frozenset(n.split("|")) for n in needs), frozenset(filter(None, forbids.split("|"))))


class Vocabulary:
    """Words (cleaned as messages are) by their first letter, longest first, with their concepts."""

    def __init__(self, concepts: Mapping[str, Iterable[str]]) -> None:
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for concept, words in concepts.items():
            for word in words:
                w = word.lower().replace(" ", "")
                if w:
                    self._by_first.setdefault(w[0], []).append((w, concept))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def read(self, s: str) -> tuple[set[str], int]:
        """The concepts in `s` (longest word first at each place) and how many letters were not words."""
        found: set[str] = set()
        unknown = i = 0
        while i < len(s):
            for word, concept in self._by_first.get(s[i], ()):
                if s.startswith(word, i):
                    if concept != FILLER:
                        found.add(concept)
                    i += len(word)
                    break
            else:
                unknown += 1
                i += 1
        return found, unknown


def match_frame(text: str, vocabulary: Vocabulary, frames: Sequence[Frame]) -> str | None:
    """The intent of the first frame the message fits, or None (too long, unknown words, no frame)."""
    try:
        s = _clean_remembered(text) if len(text) <= 200 else ""
        s = s.replace(" ", "").replace("ๆ", "").lower()
        if not s or len(s) > MAX_LETTERS:
            return None
        concepts, unknown = vocabulary.read(s)
        if unknown > MAX_UNKNOWN or not concepts:
            return None
        return next((f.intent for f in frames if f.fits(concepts)), None)
    except Exception:
        return None
