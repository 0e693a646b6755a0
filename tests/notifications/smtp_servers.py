"""Real SMTP servers on loopback (aiosmtpd) for the delivery tests: plain, STARTTLS, implicit TLS,
one that refuses and one that is slow."""
import asyncio
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (the tests' private CA)."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


@dataclass
class Recorder:
    """The handler: keeps what was accepted, can refuse recipients or hold DATA until released."""

    refuse_with: str | None = None  # e.g. "550 5.1.1 no such user" or "451 4.3.0 try later"
    hold: threading.Event | None = None  # a slow server: DATA (or RCPT) waits until this is set
    hold_at: str = "DATA"
    received: list = field(default_factory=list)
    connections: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold is not None and self.hold_at == "RCPT":
            while not self.hold.is_set():
                await asyncio.sleep(0.05)
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None and self.hold_at == "DATA":
            while not self.hold.is_set():
                await asyncio.sleep(0.05)  # the server is slow; the client's timeout gives up first
        self.received.append((envelope.rcpt_tos, envelope.original_content))
        return "250 Message accepted"


class Server:
    def __init__(self, recorder: Recorder, mode: str, cert: Path | None = None, key: Path | None = None):
        self.recorder, self.port = recorder, free_port()
        options = {}
        if mode in ("starttls", "tls"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            options = {"tls_context": context, "require_starttls": True} if mode == "starttls" else \
                {"ssl_context": context}
        self.controller = Controller(recorder, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        if self.recorder.hold is not None:
            self.recorder.hold.set()
        self.controller.stop()
