"""Console exports of any size: small ones download at once, large ones are written in the background.

An export of up to `INLINE_ROWS` rows is written within the request (as before). A larger one (the
directory of 50,000 organizations) becomes an `ExportJob`: a thread writes the rows one at a time to a
temporary file (memory stays flat), keeps the result in the database and the officer's browser waits on
the job's page, which shows a download link when the file is ready. Only the login that asked may
download it; files are removed after `KEEP`.
"""
from __future__ import annotations

import logging
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, delete, select

from bot.clock import clock, db_now
from bot.console import redirect, render
from bot.console.auth import Officer, Refused, current_officer
from bot.export import Column, write_csv, write_xlsx
from storage.models.console import ExportJob

log = logging.getLogger(__name__)
router = APIRouter()

INLINE_ROWS = 5000
KEEP = timedelta(days=1)
STALE = timedelta(hours=1)  # a job still "running" after this died with its process
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}

Rows = Callable[[Session], Iterator[dict[str, Any]]]  # the rows, read within the session it is given


def export(request: Request, officer: Officer, *, fmt: str, columns: Sequence[Column], total: int, rows: Rows,
           name: str, kind: str, back: str) -> Response:
    """The download itself when small, else a background job and a redirect to its page."""
    from bot.console.common import export_response

    fmt = fmt if fmt in MEDIA else "csv"
    db = request.app.state.console.runtime.db
    if total <= INLINE_ROWS:
        with db.read_session() as session:
            return export_response(fmt, columns, rows(session), name)
    filename = f"{name}-{clock.today().isoformat()}.{fmt}"
    with db.session() as session:
        session.exec(delete(ExportJob).where(col(ExportJob.created_at) < db_now() - KEEP))  # type: ignore[call-overload]
        job = ExportJob(token=secrets.token_urlsafe(24), login_id=officer.login.id, kind=kind, fmt=fmt,
                        filename=filename, total=total)
        session.add(job)
        session.flush()
        job_id, token = job.id, job.token
    threading.Thread(target=_write, args=(db, job_id, fmt, columns, rows, name), name=f"export-{job_id}",
                     daemon=True).start()
    return redirect(f"/admin/exports/{token}?back={back}")


def _write(db: Any, job_id: int, fmt: str, columns: Sequence[Column], rows: Rows, title: str) -> None:  # noqa: ANN401
    def progress(n: int) -> None:
        if n % 10_000 == 0:
            with db.session() as session:
                job = session.get(ExportJob, job_id)
                if job is not None:
                    job.rows = n
                    session.add(job)

    try:
        with tempfile.TemporaryFile() as fh:
            with db.read_session() as session:
                if fmt == "xlsx":
                    written = write_xlsx(fh, columns, rows(session), title=title, progress=progress)
                else:
                    import io

                    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="", write_through=True)
                    written = write_csv(text, columns, rows(session), progress=progress, thai=True)
                    text.flush()
                    text.detach()
            fh.seek(0)
            data = fh.read()
        with db.session() as session:
            job = session.get(ExportJob, job_id)
            if job is not None:
                job.status, job.rows, job.data, job.finished_at = "done", written, data, db_now()
                session.add(job)
    except Exception as exc:  # noqa: BLE001 - the officer sees "failed" and can try again
        log.exception("export %s failed", job_id)
        with db.session() as session:
            job = session.get(ExportJob, job_id)
            if job is not None:
                job.status, job.error, job.finished_at = "failed", type(exc).__name__[:300], db_now()
                session.add(job)


def _job(session: Session, officer: Officer, token: str, *, with_data: bool = False) -> ExportJob:
    stmt = select(ExportJob).where(ExportJob.token == token)
    if not with_data:
        from sqlalchemy.orm import defer

        stmt = stmt.options(defer(ExportJob.data))  # type: ignore[arg-type]
    job = session.exec(stmt).first()
    if job is None or job.login_id != officer.login.id:
        raise Refused(404, "console.error.not_found")
    return job


@router.get("/exports/{token}")
def job_page(request: Request, token: str, back: str = "/admin", officer: Officer = Depends(current_officer)
             ) -> Response:
    from bot.console import safe_next

    with request.app.state.console.runtime.db.read_session() as session:
        job = _job(session, officer, token)
        state = job.status
        if state == "running" and job.created_at < db_now() - STALE:
            state = "failed"
    return render(request, "export.html", officer, active="", job=job, state=state, back=safe_next(back))


@router.get("/exports/{token}/download")
def download(request: Request, token: str, officer: Officer = Depends(current_officer)) -> Response:
    with request.app.state.console.runtime.db.read_session() as session:
        job = _job(session, officer, token, with_data=True)
        if job.status != "done" or job.data is None:
            raise Refused(404, "console.error.not_found")
        data, filename, fmt = job.data, job.filename, job.fmt
    return Response(data, media_type=MEDIA.get(fmt, "application/octet-stream"), headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
