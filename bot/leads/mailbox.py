"""A development SMTP server that keeps every message as an .eml file under var/mailbox/.

`make run` starts it when no S3M_SMTP_HOST is configured, so the hand-off works on a
fresh clone without any outside mail service: open the files with any mail client.
Run it alone with `python -m bot.leads.mailbox`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

from aiosmtpd.controller import Controller

from bot.config import load_settings

log = logging.getLogger(__name__)



class MailboxHandler:
    """aiosmtpd handler: accept every message and write it to its own file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        path = self.save(envelope.mail_from, envelope.rcpt_tos, envelope.original_content or envelope.content)
        log.info("mailbox: message kept as %s", path.name)
        return "250 Message accepted for delivery"

    def save(self, mail_from: str, rcpt_tos: Sequence[str], content: bytes) -> Path:
        """Write the message with its envelope as headers; the rename makes it appear complete."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        envelope = f"Return-Path: <{mail_from}>\r\nX-Envelope-To: {', '.join(rcpt_tos)}\r\n".encode()
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope + content)
        return partial.replace(self.directory / name)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.leads.mailbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--directory", type=Path, help="where to write the .eml files (default var/mailbox/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every address it sees
    settings = load_settings()
    directory = args.directory or settings.mailbox_dir
    controller = Controller(MailboxHandler(directory), hostname=settings.smtp_host, port=settings.smtp_port)
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    controller.start()
    log.info("mailbox: SMTP on %s:%d, messages in %s", settings.smtp_host, settings.smtp_port, directory)
    try:
        while not stop.wait(1):
            pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
