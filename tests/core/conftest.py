"""A fake ClamAV daemon: a real socket server on 127.0.0.1 (random port) speaking clamd's
PING and INSTREAM commands, answering FOUND for the EICAR test string and OK otherwise."""

import socket
import socketserver
import struct
import threading

import pytest

# The industry-standard harmless test signature, assembled at run time so that the source file
# itself does not trip a virus scanner on a developer's machine.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"


class _ClamdHandler(socketserver.BaseRequestHandler):
    def _read_command(self, stream) -> bytes:
        command = b""
        while (byte := stream.read(1)) not in (b"", b"\0"):
            command += byte
        return command

    def handle(self):
        stream = self.request.makefile("rb")
        command = self._read_command(stream)
        if command == b"zPING":
            self.request.sendall(b"PONG\0")
            return
        if command != b"zINSTREAM":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data, chunks = b"", 0
        while True:
            (size,) = struct.unpack("!L", stream.read(4))
            if size == 0:
                break
            data += stream.read(size)
            chunks += 1
        self.server.streams.append((data, chunks))
        if self.server.reply is not None:
            self.request.sendall(self.server.reply)
        elif EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def fake_clamd(settings):
    """Starts the fake daemon and points CLAMD_URL at it; `.streams` lists what it scanned."""
    server = _Server(("127.0.0.1", 0), _ClamdHandler)
    server.streams = []
    server.reply = None  # set to answer every scan with these bytes instead
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_URL = f"tcp://127.0.0.1:{server.server_address[1]}"
    settings.CLAMD_TIMEOUT_SECONDS = 5
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def unreachable_clamd(settings):
    """CLAMD_URL pointing at a port where nothing listens (taken, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMD_URL = f"tcp://127.0.0.1:{port}"
    settings.CLAMD_TIMEOUT_SECONDS = 2
    return settings.CLAMD_URL
