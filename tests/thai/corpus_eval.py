"""Reading the corpus in tests/thai/corpus/ and checking bot.thai against it, field by field.

Shared by tests/thai/test_corpus.py (every field of every case must be right) and bench/thai_parse.py
(whole-message and per-field accuracy).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
DEFAULT_TODAY = date(2026, 12, 2)
REPORT_FIELDS = ("title", "date", "people", "budget", "source", "target")


@dataclass
class Case:
    file: str
    index: int
    kind: str
    text: str
    today: date
    prefer: str
    expect: object

    @property
    def id(self) -> str:
        return f"{self.file}#{self.index}"


def _kind(file: str, raw: dict) -> str:
    if "kind" in raw:
        return raw["kind"]
    if file.startswith("reports"):
        return "report"
    # held-out files are named after the file they extend: dates_b.yaml holds date answers
    return {"dates": "date", "yesno": "yesno"}[file.split("_")[0]]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for i, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), 1):
            cases.append(Case(path.stem, i, _kind(path.stem, raw), raw["text"], raw.get("today", DEFAULT_TODAY),
                              raw.get("prefer", "past"), raw["expect"]))
    return cases


def _span(v) -> tuple[date, date] | None:  # noqa: ANN001
    if v is None:
        return None
    if isinstance(v, list):
        return v[0], v[1]
    return v, v


def _amount(v) -> Decimal | None:  # noqa: ANN001
    return None if v is None else Decimal(str(v))


def check(case: Case) -> dict[str, tuple[bool, object, object]]:
    """{field: (right, got, expected)} for one case; a parser missing from bot.thai counts as wrong."""
    import bot.thai as th

    def call(name, *a, **kw):  # noqa: ANN001, ANN202
        fn = getattr(th, name, None)
        return fn(*a, **kw) if fn else "<missing>"

    if case.kind == "report":
        r = th.extract_report(case.text, today=case.today)
        got = {
            "title": r.title,
            "date": None if r.start_date is None else (r.start_date, r.end_date),
            "people": r.participants,
            "budget": r.budget,
            "source": r.funding_source,
            "target": r.target_group,
        }
        exp = dict(case.expect)
        exp["date"] = _span(exp.get("date"))
        exp["budget"] = _amount(exp.get("budget"))
        return {f: (got[f] == exp.get(f), got[f], exp.get(f)) for f in REPORT_FIELDS}
    if case.kind == "date":
        got = call("parse_date_range", case.text, today=case.today, prefer=case.prefer)
        exp = _span(case.expect)
        return {"date": (got == exp, got, exp)}
    if case.kind == "yesno":
        got = call("parse_yes_no", case.text)
        return {"yesno": (got == case.expect, got, case.expect)}
    if case.kind == "money":
        got = call("parse_money", case.text)
        exp = _amount(case.expect)
        return {"money": (got == exp, got, exp)}
    if case.kind == "people":
        # Before parse_people existed the bot read this answer with parse_number.
        got = call("parse_people", case.text) if hasattr(th, "parse_people") else th.parse_number(case.text)
        return {"people": (got == case.expect, got, case.expect)}
    raise ValueError(f"unknown kind {case.kind!r} in {case.id}")


def score(cases: list[Case]) -> tuple[int, dict[str, list[int]], list[tuple[Case, dict]]]:
    """(messages wholly right, {field: [right, total]}, failures)."""
    whole = 0
    per: dict[str, list[int]] = {}
    failures = []
    for c in cases:
        try:
            res = check(c)
        except Exception as e:  # a parser that raises gets every field wrong
            res = {"error": (False, repr(e), None)}
        ok = all(r[0] for r in res.values())
        whole += ok
        if not ok:
            failures.append((c, res))
        for f, (right, _g, _e) in res.items():
            key = f if c.kind != "report" else f"report.{f}"
            per.setdefault(key, [0, 0])
            per[key][0] += right
            per[key][1] += 1
    return whole, per, failures
