"""Every user-facing string lives in locales/: both languages, same keys, same placeholders."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
KEY_CALLS = {"t", "say", "choice"}
KEY_KWARGS = {"prompt", "example", "label", "title", "menu_key", "label_key"}


def _keys_used_in_code() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                    if name in KEY_CALLS and node.args and isinstance(node.args[0], ast.Constant) \
                            and isinstance(node.args[0].value, str) and "." in node.args[0].value:
                        found.add((node.args[0].value, f"{path.name}:{node.lineno}"))
                    if name == "Field" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                        found.add((node.args[1].value, f"{path.name}:{node.lineno}"))
                    for kw in node.keywords:
                        if kw.arg in KEY_KWARGS and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                            found.add((kw.value.value, f"{path.name}:{node.lineno}"))
                        if kw.arg == "word_keys" and isinstance(kw.value, ast.Tuple):
                            found |= {(e.value, f"{path.name}:{node.lineno}") for e in kw.value.elts
                                      if isinstance(e, ast.Constant)}
                if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                        and getattr(node.targets[0], "id", None) == "title" and isinstance(node.value, ast.Constant):
                    found.add((node.value.value, f"{path.name}:{node.lineno}"))
    return {(k, where) for k, where in found if k and "." in k and " " not in k}


def test_both_languages_have_the_same_keys() -> None:
    th, en = set(i18n.catalog("th")), set(i18n.catalog("en"))
    assert th - en == set(), "keys missing in English"
    assert en - th == set(), "keys missing in Thai"
    assert len(th) > 50


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_key_used_in_code_exists(lang: str) -> None:
    catalog = i18n.catalog(lang)
    missing = sorted(f"{k} ({where})" for k, where in _keys_used_in_code() if k not in catalog)
    assert missing == []


def test_form_labels_exist() -> None:
    from bot.forms import Form
    from bot.registry import FLOWS

    missing = []
    for flow in FLOWS.values():
        if isinstance(flow, Form):
            for field in flow.fields:
                if field.editable:
                    key = field.label or f"{flow.name}.label.{field.name}"
                    for lang in i18n.LANGUAGES:
                        if key not in i18n.catalog(lang):
                            missing.append(f"{lang}:{key}")
    assert missing == []


def test_placeholders_match_between_languages() -> None:
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    th, en = i18n.catalog("th"), i18n.catalog("en")
    wrong = [k for k in th if k in en and fields(th[k]) != fields(en[k])]
    assert wrong == []


def test_thai_dates_use_buddhist_era() -> None:
    from datetime import date

    assert i18n.format_date(date(2020, 1, 29)) == "29 ม.ค. 2563"
    assert i18n.format_date(date(2020, 1, 29), "en") == "29 Jan 2020"
    assert i18n.format_date_range(date(2020, 1, 29), date(2020, 1, 31)) == "29–31 ม.ค. 2563"
    assert i18n.format_date_range(date(2026, 12, 30), date(2027, 1, 2)) == "30 ธ.ค. 2569 – 2 ม.ค. 2570"
    assert i18n.thai_digits("29 ม.ค. 2563") == "๒๙ ม.ค. ๒๕๖๓"
