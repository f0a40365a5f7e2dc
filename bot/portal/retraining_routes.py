"""/retraining (admins only): judge unrecognised messages, retrain, compare, activate.

The steps themselves live in `bot.retraining`; these routes only show them and take
the admin's decisions (each recorded in the audit log).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from bot.conversations.transcript import read_transcript
from bot.orm import utcnow
from bot.portal import audit
from bot.portal.templating import redirect, render
from bot.portal.web_session import CurrentAdmin, DbSession, PageNotFound, flash, verify_csrf
from bot.retraining import runs
from bot.retraining.annotations import AnnotationError, annotate
from bot.retraining.models import TrainingRun
from bot.retraining.rasa_server import RasaServerError
from bot.retraining.unrecognised import find_unrecognised

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
LOOK_BACK_DAYS = (7, 30, 90, 365)


@router.get("/retraining")
def unrecognised_page(request: Request, admin: CurrentAdmin, session: DbSession, days: int = 30) -> Response:
    days = days if days in LOOK_BACK_DAYS else 30
    settings, workspace = request.app.state.settings, request.app.state.workspace
    messages = find_unrecognised(session, settings.unrecognised_confidence, utcnow() - timedelta(days=days))
    return render(request, "unrecognised.html", admin, {
        "messages": messages, "labels": workspace.labels(), "training_languages": workspace.languages, "days": days,
        "look_back": LOOK_BACK_DAYS,
    })


@router.post("/retraining/annotate")
def annotate_message(
    request: Request,
    admin: CurrentAdmin,
    session: DbSession,
    text: Annotated[str, Form(max_length=2000)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
    label: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        annotation = annotate(session, request.app.state.workspace, text, language, label, admin)
    except AnnotationError as error:
        session.rollback()
        flash(request, f"retraining.error_{error.code}", "error")
        return redirect("/retraining")
    audit.record(session, "annotated", admin, annotation=annotation.id, label=label, language=language)
    session.commit()
    flash(request, "retraining.annotated")
    return redirect("/retraining")


@router.get("/retraining/conversations/{conversation_id}")
def conversation_page(request: Request, admin: CurrentAdmin, session: DbSession, conversation_id: str) -> Response:
    transcript = read_transcript(session, conversation_id)
    if not transcript:
        raise PageNotFound()
    return render(request, "conversation.html", admin, {"transcript": transcript})


@router.get("/retraining/runs")
def runs_page(request: Request, admin: CurrentAdmin, session: DbSession) -> Response:
    latest = list(session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(20)))
    return render(request, "training_runs.html", admin, {
        "runs": latest, "running": runs.current_run(session),
    })


@router.post("/retraining/runs")
def start_run(request: Request, admin: CurrentAdmin, session: DbSession) -> Response:
    try:
        run = runs.create_run(session, admin)
    except runs.RunError as error:
        flash(request, f"retraining.error_{error.code}", "error")
        return redirect("/retraining/runs")
    audit.record(session, "retrained", admin, run=run.id)
    session.commit()
    state = request.app.state
    runs.start_in_background(state.sessions, run.id, state.workspace, state.rasa_server)
    return redirect("/retraining/runs")


@router.post("/retraining/runs/{run_id}/activate")
def activate_run(
    request: Request,
    admin: CurrentAdmin,
    session: DbSession,
    run_id: RunId,
    override: Annotated[bool, Form()] = False,
) -> Response:
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise PageNotFound()
    try:
        runs.activate(session, run, admin, request.app.state.rasa_server, override)
    except runs.RunError as error:
        flash(request, f"retraining.error_{error.code}", "error")
        return redirect("/retraining/runs")
    except RasaServerError:
        flash(request, "retraining.error_rasa_unreachable", "error")
        return redirect("/retraining/runs")
    audit.record(session, "activated", admin, run=run.id, overridden=run.overridden)
    session.commit()
    flash(request, "retraining.activated")
    return redirect("/retraining/runs")
