"""The audit log: who changed what, when. A provincial officer sees the entries about their province."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.console import audit_text, render
from bot.console.auth import Officer, current_officer
from bot.console.common import PAGE_SIZE, page_of
from storage.repositories import console as console_repo

router = APIRouter()


@router.get("/audit")
def audit_log(request: Request, action: str | None = None, page: str | None = None,
              officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        entries, total = console_repo.audit_entries(session, province=officer.province, national=officer.national,
                                                    action=action or None, limit=PAGE_SIZE,
                                                    offset=(n - 1) * PAGE_SIZE)
        names = audit_text.who_names(session, entries)
    rows = [{"at": e.at, "who": audit_text.who(e, names, officer.locale), "ip": e.ip, "province": e.province,
             "sentence": audit_text.sentence(e, names, officer.locale), "quote": audit_text.quote(e)}
            for e in entries]
    return render(request, "audit.html", officer, active="audit", entries=rows, total=total, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)), action=action or "")
