"""A real `indexer serve` process on a free localhost port, for the server's tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`indexer serve` over `index` in a child process, until stop()."""

    def __init__(self, index: str, *options: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "indexer", "serve", "--index", index,
             "--port", str(self.port), *options],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"indexer serve exited: {self.process.stderr.read()}") from None
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("indexer serve did not start listening within 30 s")

    def get(self, path: str, headers: dict | None = None,
            method: str = "GET") -> tuple[int, dict, bytes]:
        """(status, headers, body) of one request."""
        request = urllib.request.Request(self.base + path, headers=headers or {},
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str) -> tuple[int, dict]:
        status, headers, body = self.get(path)
        assert headers["content-type"] == "application/json", (path, headers)
        return status, json.loads(body)

    def stop(self) -> str:
        """Stop the server; its stderr."""
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err
