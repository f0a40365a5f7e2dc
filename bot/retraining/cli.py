"""The retraining loop for scripts: `python -m bot.retraining <command>` (see `--help`).

Same steps as the portal's Retraining pages, on the database of `S3M_DATABASE_URL` and
the Rasa server of `S3M_RASA_URL`:

    unrecognised [--days N]          list unjudged unrecognised messages (KEY = first 8 hex digits)
    annotate KEY LABEL               judge one of them (LABEL: an intent, faq/<topic>, or ignore)
    retrain                          validate, train and evaluate; prints progress and the comparison
    activate RUN [--override]        put run RUN's model on the Rasa server
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from sqlalchemy.orm import sessionmaker

from bot.config import load_settings
from bot.leads.schema import current_session
from bot.orm import utcnow
from bot.retraining import runs
from bot.retraining.annotations import AnnotationError, annotate
from bot.retraining.models import TrainingRun
from bot.retraining.rasa_server import RasaServer, RasaServerError
from bot.retraining.unrecognised import find_unrecognised
from bot.retraining.workspace import Workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.retraining", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("unrecognised", help="list unjudged unrecognised messages")
    listing.add_argument("--days", type=int, default=30)
    judging = commands.add_parser("annotate", help="judge an unrecognised message")
    judging.add_argument("key", help="the KEY column of `unrecognised` (a prefix is enough)")
    judging.add_argument("label", help="an intent, faq/<topic>, or ignore")
    commands.add_parser("retrain", help="validate, train and evaluate a new model")
    activating = commands.add_parser("activate", help="activate a run's model on the Rasa server")
    activating.add_argument("run", type=int)
    activating.add_argument("--override", action="store_true", help="even if worse in some language")
    args = parser.parse_args(argv)

    settings = load_settings()
    workspace, server = Workspace.from_settings(settings), RasaServer.from_settings(settings)
    with current_session(settings.database_url) as session:
        since = utcnow() - timedelta(days=getattr(args, "days", 365))
        if args.command == "unrecognised":
            for message in find_unrecognised(session, settings.unrecognised_confidence, since):
                print(f"{message.key[:8]}  {message.language}  {message.count:>3}x  "
                      f"{message.predicted} ({message.confidence:.2f})  {message.text}")
            return 0
        if args.command == "annotate":
            matches = [m for m in find_unrecognised(session, settings.unrecognised_confidence, since)
                       if m.key.startswith(args.key.lower())]
            if len(matches) != 1:
                print(f"{len(matches)} unjudged messages have a key starting with {args.key!r}; need exactly one.",
                      file=sys.stderr)
                return 2
            try:
                annotate(session, workspace, matches[0].text, matches[0].language, args.label, None)
            except AnnotationError as error:
                hint = f" (labels: {', '.join(workspace.labels())})" if error.code == "unknown_label" else ""
                print(f"Not saved: {error.code}{hint}", file=sys.stderr)
                return 2
            session.commit()
            print(f"Saved {matches[0].text!r} as {args.label}.")
            return 0
        if args.command == "retrain":
            return _retrain(session, workspace, server)
        run = session.get(TrainingRun, args.run)
        if run is None:
            print(f"No run {args.run}.", file=sys.stderr)
            return 2
        try:
            runs.activate(session, run, None, server, args.override)
        except runs.RunError as error:
            print(f"Not activated: {error.code}.", file=sys.stderr)
            return 2
        except RasaServerError as error:
            print(f"Not activated: {error}", file=sys.stderr)
            return 1
        print(f"Run {run.id}'s model is active on {settings.rasa_url}.")
        return 0


def _retrain(session, workspace: Workspace, server: RasaServer) -> int:
    try:
        run = runs.create_run(session, None)
    except runs.RunError:
        print("A run is in progress already.", file=sys.stderr)
        return 2
    sessions = sessionmaker(session.get_bind(), future=True)
    thread = runs.start_in_background(sessions, run.id, workspace, server)
    shown = ""
    while thread.is_alive():
        thread.join(2.0)
        session.refresh(run)
        line = f"run {run.id}: {run.progress:6.1%}  {run.phase}"
        if line != shown:
            print(line, flush=True)
            shown = line
    session.refresh(run)
    if run.status != "ready":
        print(f"Run {run.id} failed: {run.error}", file=sys.stderr)
        return 1
    print(format_comparison(run.evaluation))
    print(f"Activate with: python -m bot.retraining activate {run.id}"
          + (" --override" if run.evaluation["worse"] else ""))
    return 0


def format_comparison(evaluation: dict) -> str:
    lines = ["language  held-out  active acc/F1   new acc/F1", "--------  --------  -------------   -------------"]
    for language, new in evaluation["candidate"].items():
        active = evaluation["active"].get(language, {})
        mark = "  worse" if language in evaluation["worse"] else ""
        lines.append(f"{language:<8}  {new['n']:>8}  {active.get('accuracy', 0):5.1f} / {active.get('macro_f1', 0):5.1f}"
                     f"   {new['accuracy']:5.1f} / {new['macro_f1']:5.1f}{mark}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
