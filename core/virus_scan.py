"""Virus scanning of uploads through a ClamAV daemon (clamd), when ``CLAMD_URL`` is set.

A small client for clamd's INSTREAM command: ``zINSTREAM\\0``, then the file in chunks, each
prefixed by its length as a 4-byte big-endian integer, then a zero-length chunk; clamd answers
``stream: OK`` or ``stream: <signature> FOUND`` (NUL-terminated with the ``z`` prefix).

Uploads are scanned during form validation, before anything is stored, so a refused file is
never saved and can never be served. When the scanner is configured but cannot give an answer
(unreachable, timed out, an ERROR reply) the upload is refused too: fail closed.
"""

import logging
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or gave no verdict."""


@dataclass(frozen=True)
class ScanResult:
    is_clean: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(getattr(settings, "CLAMD_URL", ""))


def parse_clamd_url(url: str) -> tuple[int, object]:
    """``tcp://host:port`` or ``unix:///path/to/clamd.ctl`` → (address family, address)."""
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET, (
            parts.hostname,
            parts.port,
        )
    if parts.scheme == "unix" and parts.path:
        return socket.AF_UNIX, parts.path
    raise ValueError(
        f"CLAMD_URL {url!r} is not tcp://host:port or unix:///path/to/clamd.ctl",
    )


def _connect() -> socket.socket:
    family, address = parse_clamd_url(settings.CLAMD_URL)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(settings.CLAMD_TIMEOUT_SECONDS)
    try:
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < _MAX_REPLY:
        data = sock.recv(1024)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _command(payload: Iterable[bytes]) -> str:
    try:
        with _connect() as sock:
            for part in payload:
                sock.sendall(part)
            return _read_reply(sock)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


def scan_chunks(chunks: Iterable[bytes]) -> ScanResult:
    """Send the chunks to clamd. Raises ScannerUnavailable when it gives no verdict."""

    def payload():
        yield b"zINSTREAM\0"
        for chunk in chunks:
            for start in range(0, len(chunk), CHUNK_SIZE):
                piece = chunk[start : start + CHUNK_SIZE]
                yield struct.pack("!L", len(piece)) + piece
        yield struct.pack("!L", 0)

    reply = _command(payload())
    if reply == "stream: OK":
        return ScanResult(is_clean=True)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(is_clean=False, signature=reply[len("stream: ") : -len(" FOUND")])
    # "INSTREAM size limit exceeded. ERROR", an empty reply after a dropped connection…
    raise ScannerUnavailable(f"unexpected reply {reply!r}")


def ping() -> bool:
    """Whether clamd answers; the reason it does not goes to the log."""
    try:
        reply = _command([b"zPING\0"])
    except ScannerUnavailable as exc:
        logger.warning("virus scan: %s did not answer PING: %s", settings.CLAMD_URL, exc)
        return False
    if reply != "PONG":
        logger.warning("virus scan: %s answered PING with %r", settings.CLAMD_URL, reply)
    return reply == "PONG"


def validate_upload_is_clean(upload) -> None:
    """Form validation: refuse an infected upload, or any upload when the scanner is configured
    but gives no verdict. Does nothing when no scanner is configured. Logs refusals."""
    if not is_configured():
        return
    try:
        result = scan_chunks(upload.chunks(CHUNK_SIZE))
    except ScannerUnavailable as exc:
        logger.error("virus scan: no verdict from %s, upload refused: %s", settings.CLAMD_URL, exc)
        raise ValidationError(
            _(
                "The file could not be checked for viruses just now, so it was not saved. "
                "Please try again in a few minutes."
            ),
            code="scan_unavailable",
        ) from exc
    finally:
        upload.seek(0)
    if not result.is_clean:
        logger.warning("virus scan: refused upload %r: %s", upload.name, result.signature)
        raise ValidationError(
            _(
                "This file contains a virus or other malware and was not accepted. Check your "
                "computer with an up-to-date virus scanner, then upload a clean copy."
            ),
            code="infected",
        )
