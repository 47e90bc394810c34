"""Benchmark of bot.thai: speed per call, cold import time, accuracy on the corpus of LINE messages
(tests/thai/corpus/: whole messages and per field), and date accuracy next to dateparser.

Run from the repository root:  .venv/bin/python bench/thai_parse.py
Targets (issue 3): parse_date and parse_yes_no median <= 100 µs, extract_report <= 1 ms,
match_keyword <= 50 µs. dateparser is only a bench dependency (pip install -e '.[bench]').
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "thai"))

from corpus_eval import load_cases, score  # noqa: E402
from date_cases import DATE_CASES, TODAY  # noqa: E402
from dateparser_cases import DATEPARSER_TH_CASES, TODAY as DP_TODAY  # noqa: E402

TARGETS_US = {"parse_date": 100, "parse_yes_no": 100, "extract_report": 1000, "match_keyword": 50}


def cold_import_ms(runs: int = 5) -> float:
    """Median wall time of `import bot.thai` in a fresh interpreter (interpreter start excluded)."""
    code = "import time; t=time.perf_counter(); import bot.thai; print(time.perf_counter()-t)"
    env = dict(os.environ, PYTHAINLP_READ_ONLY="1")
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True)
        times.append(float(out.stdout.strip()) * 1000)
    return statistics.median(times)


def measure(fn, inputs, rounds: int) -> tuple[float, float]:
    """(median, p99) microseconds per call over `rounds` passes through `inputs`."""
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for x in inputs:
            t0 = clock()
            fn(x)
            samples.append((clock() - t0) / 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> None:
    cold = cold_import_ms()
    t0 = time.perf_counter()
    import bot.thai as th

    th.warm_up()
    warm_ms = (time.perf_counter() - t0) * 1000

    kw = {"cancel": ["ยกเลิก", "cancel"], "menu": ["เมนู", "menu"], "help": ["ช่วยเหลือ", "help"],
          "back": ["ย้อนกลับ", "back"], "report": ["ส่งรายงาน", "รายงาน"]}
    dates = [c[0] for c in DATE_CASES]
    reports = [
        "จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ เมื่อ 25 ต.ค. 61 มีผู้เข้าร่วม 110 คน ใช้งบประมาณ 15,000 บาท",
        "อบรมอาสาสมัคร 3 วัน 29-31 ม.ค. 63 ผู้เข้าร่วม 50 คน งบ 2 หมื่น จากกองทุนส่งเสริมการจัดสวัสดิการสังคม",
        "โครงการ: ธนาคารอาหาร\nวันที่: 3 ก.พ. 2567\nผู้เข้าร่วม: 45 ท่าน\nงบประมาณ: 8,500 บาท\nแหล่งงบ: อบต.หนองปลา",
        "เมื่อวานจัดอบรม อสม. 30 คน",
    ]
    cases = [
        ("normalize", th.normalize, ["ค่าาาา", "เเปลก นัดวันที่ ๓ มี.ค. ๒๕๖๔ นะคะ", "ใช่ครับ", reports[0]]),
        ("parse_date", lambda s: th.parse_date(s, today=TODAY), dates),
        ("parse_date_range", lambda s: th.parse_date_range(s, today=TODAY),
         ["29–31 มกราคม 2563", "30 ธ.ค. 2569 – 2 ม.ค. 2570", "สัปดาห์หน้า", "1 ถึง 3 ธ.ค. 69"]),
        ("parse_datetime_range", lambda s: th.parse_datetime_range(s, today=TODAY),
         ["29–31 ม.ค. 70 09.00–16.00 น.", "พรุ่งนี้ 9 โมง - บ่ายสามโมงครึ่ง", "5 ก.พ. 70"]),
        ("parse_time", th.parse_time, ["09.00", "9:30 น.", "บ่ายโมง", "สิบโมงเช้า"]),
        ("parse_number", th.parse_number, ["110 คน", "หมื่นห้า", "ร้อยกว่าคน", "1.5 หมื่น", "สามสิบห้าคน"]),
        ("parse_money", th.parse_money, ["15,000 บาท", "หมื่นห้าพันบาท", "฿1,500", "งบ 2 พันห้า"]),
        ("parse_yes_no", th.parse_yes_no, ["ใช่ค่ะ", "ไม่ใช่ครับ", "ได้ไหมคะ", "ไม่ไช่", "ok", "👍", "ไม่แน่ใจ"]),
        ("parse_phone", th.parse_phone, ["081-234-5678", "เบอร์ ๐๘๑ ๒๓๔ ๕๖๗๘ ค่ะ", "+66 2 123 4567", "0-5525-8111"]),
        ("format_phone", th.format_phone, ["0812345678", "021234567", "055258111"]),
        ("match_province", th.match_province, ["โคราช", "จ.พิษณุโลก", "Chiang Mai", "พิษณุโลด", "นคร"]),
        ("match_keyword", lambda s: th.match_keyword(s, kw), ["ยกเลิกค่ะ", "เมนูววว", "ยกลิก", "สวัสดีค่ะ ขอสอบถาม"]),
        ("strip_particles", th.strip_particles, ["ได้ค่ะ", "ใช่ครับบ", "พรุ่งนี้นะคะ"]),
        ("fuzzy_org_score", lambda s: th.fuzzy_org_score(s, "มูลนิธิบ้านสุขใจ"), ["บ้านสุขไจ", "มูลนิธิ บ้านสุข"]),
        ("extract_report", lambda s: th.extract_report(s, today=TODAY), reports),
    ]
    corpus = load_cases()
    corpus_reports = [c for c in corpus if c.kind == "report"]
    cases.append(("extract_report (corpus)", lambda c: th.extract_report(c.text, today=c.today), corpus_reports))
    bench_start = time.perf_counter()
    rows = []
    for name, fn, inputs in cases:
        for x in inputs:  # warm every path once more
            fn(x)
        rounds = max(20, 4000 // len(inputs))
        if name == "extract_report":
            rounds = 500
        if name == "extract_report (corpus)":
            rounds = 20
        med, p99 = measure(fn, inputs, rounds)
        target = TARGETS_US.get(name.split(" ")[0])
        verdict = "" if target is None else ("ok" if med <= target else "OVER")
        rows.append((name, med, p99, f"<= {target}" if target else "", verdict))
    bench_s = time.perf_counter() - bench_start

    print("bot.thai benchmark")
    print(f"  cold import of bot.thai (fresh interpreter, median of 5): {cold:7.1f} ms")
    print(f"  warm_up() after import:                                {warm_ms:7.1f} ms")
    print()
    print(f"  {'function':<22}{'median µs':>11}{'p99 µs':>10}  {'target µs':<10}{'':>5}")
    print(f"  {'-' * 22}{'-' * 11}{'-' * 10}  {'-' * 15}")
    for name, med, p99, target, verdict in rows:
        print(f"  {name:<22}{med:>11.1f}{p99:>10.1f}  {target:<10}{verdict:>5}")
    print(f"  (timing loop took {bench_s:.1f} s)")

    # --- accuracy on the corpus of LINE messages ------------------------------------------------
    whole, per, failures = score(corpus)
    right = sum(v[0] for v in per.values())
    checks = sum(v[1] for v in per.values())
    n_reports = len(corpus_reports)
    reports_right = sum(1 for c in corpus_reports if all(c is not f[0] for f in failures))
    print()
    print(f"accuracy on tests/thai/corpus/ ({len(corpus)} messages, {n_reports} of them whole reports)")
    print(f"  whole messages right (every field)  {whole:>4}/{len(corpus)}  {100 * whole / len(corpus):5.1f}%")
    print(f"  whole reports right (all 6 fields)  {reports_right:>4}/{n_reports}  {100 * reports_right / n_reports:5.1f}%")
    print(f"  fields right                        {right:>4}/{checks}  {100 * right / checks:5.1f}%")
    for key, (ok, total) in sorted(per.items()):
        print(f"    {key:<32}{ok:>4}/{total:<4} {100 * ok / total:5.1f}%")
    for case, res in failures[:20]:
        wrong = {f: (g, e) for f, (ok, g, e) in res.items() if not ok}
        print(f"    wrong: {case.id} {case.text[:40]!r} {wrong}")

    dp_right = sum(th.parse_date(text, today=DP_TODAY) == exp for text, exp in DATEPARSER_TH_CASES)
    print()
    print(f"dateparser's own Thai absolute-date cases through bot.thai.parse_date: "
          f"{dp_right}/{len(DATEPARSER_TH_CASES)}")

    # --- accuracy on the project's own date cases ---------------------------------------------
    ours = sum(th.parse_date(text, today=TODAY, prefer=prefer) == exp for text, prefer, exp in DATE_CASES)
    print()
    print(f"parse_date accuracy on tests/thai/date_cases.py ({len(DATE_CASES)} cases, today={TODAY})")
    print(f"  bot.thai.parse_date                      {ours:>4}/{len(DATE_CASES)}  {100 * ours / len(DATE_CASES):5.1f}%")
    try:
        import dateparser
    except ImportError:
        print("  dateparser: not installed (pip install -e '.[bench]')")
        return
    base = datetime.combine(TODAY, datetime.min.time())
    t0 = time.perf_counter()
    dp_ok = 0
    for text, prefer, exp in DATE_CASES:
        try:
            got = dateparser.parse(
                text, languages=["th", "en"],
                settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "DATE_ORDER": "DMY",
                          "PREFER_DAY_OF_MONTH": "first"},
            )
        except Exception:
            got = None
        dp_ok += (got.date() if got else None) == exp
    dp_s = time.perf_counter() - t0
    print(f"  dateparser {dateparser.__version__} (languages th+en, same today/prefer)"
          f" {dp_ok:>4}/{len(DATE_CASES)}  {100 * dp_ok / len(DATE_CASES):5.1f}%"
          f"   ({1e6 * dp_s / len(DATE_CASES):.0f} µs/call)")


if __name__ == "__main__":
    main()
