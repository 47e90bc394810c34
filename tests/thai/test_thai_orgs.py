import pytest

from bot.thai import fuzzy_org_score, org_name_key


@pytest.mark.parametrize(
    "name,key",
    [
        ("มูลนิธิบ้านสุข", "บ้านสุข"),
        ("มูลนิธิ บ้านสุข ", "บ้านสุข"),
        ("สมาคมผู้สูงอายุจังหวัดพิษณุโลก", "ผู้สูงอายุจังหวัดพิษณุโลก"),
        ("ชมรมผู้สูงอายุ บ้านดง", "ผู้สูงอายุบ้านดง"),
        ("กลุ่มออมทรัพย์ ตำบลวังทอง", "ออมทรัพย์ตำบลวังทอง"),
        ("ศูนย์พัฒนาครอบครัวในชุมชน", "พัฒนาครอบครัวในชุมชน"),
        ("องค์กรสาธารณประโยชน์ เพื่อนช่วยเพื่อน", "เพื่อนช่วยเพื่อน"),
        ("Foundation for the Blind", "fortheblind"),
    ],
)
def test_org_name_key(name, key):
    assert org_name_key(name) == key


def test_same_name_different_prefix_is_100():
    assert fuzzy_org_score("บ้านสุข", "มูลนิธิบ้านสุข") == 100
    assert fuzzy_org_score("มูลนิธิ บ้านสุข", "บ้านสุข") == 100


def test_typo_scores_high_and_ranks_above_other_names():
    names = ["มูลนิธิบ้านสุขใจ", "สมาคมคนตาบอด", "ชมรมผู้สูงอายุบ้านดง", "มูลนิธิบ้านสวน"]
    scores = {n: fuzzy_org_score("บ้านสุขไจ", n) for n in names}
    assert max(scores, key=scores.get) == "มูลนิธิบ้านสุขใจ"
    assert scores["มูลนิธิบ้านสุขใจ"] >= 80


def test_partial_query_finds_the_longer_name():
    names = ["ชมรมผู้สูงอายุบ้านดงประคำ", "มูลนิธิเด็กโสสะ", "สมาคมสตรีพิษณุโลก"]
    best = max(names, key=lambda n: fuzzy_org_score("บ้านดงประคำ", n))
    assert best == "ชมรมผู้สูงอายุบ้านดงประคำ"
    assert fuzzy_org_score("บ้านดงประคำ", best) < 100


def test_unrelated_names_score_low():
    assert fuzzy_org_score("คนตาบอด", "มูลนิธิเด็กโสสะ") < 50


@pytest.mark.parametrize("q,n", [("", "มูลนิธิบ้านสุข"), ("มูลนิธิ", "มูลนิธิบ้านสุข"), ("บ้านสุข", "")])
def test_empty_core_scores_zero(q, n):
    assert fuzzy_org_score(q, n) == 0
