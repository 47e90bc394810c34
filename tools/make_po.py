"""Write a pair of .po catalogs (th, en) from a Python dict: `python tools/make_po.py DOMAIN FILE.py`.

FILE.py defines MESSAGES = {"key": ("ไทย", "English"), ...}. Handy for adding many keys at once;
the .po files are the source of truth afterwards and can be edited by hand or with Poedit.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "locales"


def main(domain: str, source: str) -> None:
    messages: dict[str, tuple[str, str]] = runpy.run_path(source)["MESSAGES"]
    for idx, lang in enumerate(("th", "en")):
        path = ROOT / lang / "LC_MESSAGES" / f"{domain}.po"
        catalog = Catalog(locale=lang, domain=domain, project="khruakhai", charset="utf-8")
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang, domain=domain)
        for key, texts in messages.items():
            if key in catalog:  # Catalog.add would keep the old text of an existing key
                catalog.delete(key)
            catalog.add(key, texts[idx])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
