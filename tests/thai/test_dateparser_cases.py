"""dateparser's own Thai absolute-date cases (vendored with its licence) all read right by parse_date."""
import pytest

from bot.thai import parse_date
from dateparser_cases import DATEPARSER_TH_CASES, TODAY


@pytest.mark.parametrize("text,expected", DATEPARSER_TH_CASES)
def test_dateparser_thai_case(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_all_eleven_cases_are_there():
    assert len(DATEPARSER_TH_CASES) == 11
