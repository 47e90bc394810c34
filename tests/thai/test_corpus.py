"""Every message of the corpus (tests/thai/corpus/, see its README) is read right, field by field."""
import pytest
import yaml

from corpus_eval import CORPUS, load_cases, check

CASES = load_cases()


def test_corpus_is_big_and_well_formed():
    assert len(CASES) >= 300
    # In YAML flow style a comma ends a plain scalar: an unquoted '5,000' would silently become
    # '5' and a stray key. Every case must have only the known keys.
    for path in CORPUS.glob("*.yaml"):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert set(raw) <= {"text", "expect", "kind", "today", "prefer"}, (path.name, raw)
            assert isinstance(raw["text"], str) and raw["text"].strip()
    assert sum(c.kind == "report" and "\n" in c.text for c in CASES) >= 80


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case):
    wrong = {f: (got, exp) for f, (ok, got, exp) in check(case).items() if not ok}
    assert not wrong, f"{case.text!r}: (got, expected) {wrong}"
