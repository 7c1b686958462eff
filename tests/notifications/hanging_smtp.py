"""A mail server that hangs: it accepts the connection and then says nothing (`silent`), or
answers until the message's final dot, keeps the message, and never gives the final reply
(`data`, the case where the mail may have gone although the sender never hears it)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from email import message_from_bytes, policy


class HangingSmtp:
    def __init__(self, mode: str) -> None:
        assert mode in ("silent", "data")
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.reached = threading.Event()  # a client is connected (silent) / sent its DATA
        self.received: list[bytes] = []
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, name="hanging-smtp", daemon=True).start()

    def env(self) -> dict[str, str]:
        return {
            "LOFTE_SMTP_HOST": "127.0.0.1",
            "LOFTE_SMTP_PORT": str(self.port),
            "LOFTE_SMTP_TLS": "none",
            "LOFTE_MAIL_FROM": "Löfte <lofte@sala.example.se>",
            "LOFTE_BASE_URL": "https://lofte.sala.example.se",
        }

    def message_ids(self) -> list[str]:
        return [
            str(message_from_bytes(data, policy=policy.default)["Message-ID"])
            for data in self.received
        ]

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)
            if self.mode == "silent":
                self.reached.set()  # and nothing is ever said on it
            else:
                threading.Thread(target=self._converse, args=(connection,), daemon=True).start()

    def _converse(self, connection: socket.socket) -> None:
        try:
            lines = connection.makefile("rb")
            connection.sendall(b"220 hang.example ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"DATA":
                    connection.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    self.received.append(_until_dot(lines))
                    self.reached.set()
                    return  # the final reply never comes
                connection.sendall(b"221 Bye\r\n" if verb == b"QUIT" else b"250 OK\r\n")
        except OSError:  # the client went away
            return


def _until_dot(lines: Iterable[bytes]) -> bytes:
    data = []
    for line in lines:
        if line == b".\r\n":
            break
        data.append(line[1:] if line.startswith(b"..") else line)
    return b"".join(data)
