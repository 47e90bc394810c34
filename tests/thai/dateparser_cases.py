"""The Thai absolute-date cases of dateparser's own test suite, as an outside check of parse_date.

Taken from dateparser (https://github.com/scrapinghub/dateparser, commit 315e396b, July 2026):
tests/test_date_parser.py ("Thai dates") and tests/test_languages.py (the Thai translation, tokenizer and
is_applicable cases). Only the date is checked here; the time of day is parse_time's business.
Years below 2400 are Western as dateparser reads them; 2560 is Buddhist Era (16 Dec 2560 BE was a
Saturday, as the text says). '17 เดือนมิถุนายน' has no year: the next 17 June after TODAY.

dateparser is distributed under the BSD 3-Clause licence:

Copyright (c) 2014, Scrapinghub
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted provided
that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice, this list of conditions and the
   following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and
   the following disclaimer in the documentation and/or other materials provided with the distribution.
3. Neither the name of ScrapingHub nor the names of its contributors may be used to endorse or promote
   products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED
WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A
PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY
DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE
OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH
DAMAGE.
"""
from datetime import date

TODAY = date(2026, 3, 11)

DATEPARSER_TH_CASES = [
    # tests/test_date_parser.py, "Thai dates"
    ("ธันวาคม 11, 2014, 08:55:08 PM", date(2014, 12, 11)),
    ("22 พฤษภาคม 2012, 22:12", date(2012, 5, 22)),
    ("11 กุมภา 2020, 8:13 AM", date(2020, 2, 11)),
    ("1 เดือนตุลาคม 2005, 1:00 AM", date(2005, 10, 1)),
    ("11 ก.พ. 2020, 1:13 pm", date(2020, 2, 11)),
    # tests/test_languages.py, translation cases
    ("เมื่อ กุมภาพันธ์ 09, 2015, 09:27:57 AM", date(2015, 2, 9)),
    ("เมื่อ กรกฎาคม 05, 2012, 01:18:06 AM", date(2012, 7, 5)),
    ("วันเสาร์ที่ 16 ธันวาคม 2560 7:00 pm", date(2017, 12, 16)),
    ("วันอาทิตย์ที่ 17 ธันวาคม 2560 6:00 pm", date(2017, 12, 17)),
    # tests/test_languages.py, tokenizer and is_applicable cases
    ("8 มกราคม 2015 เวลา 12:22 น.", date(2015, 1, 8)),
    ("17 เดือนมิถุนายน", date(2026, 6, 17)),
]
