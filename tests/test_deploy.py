"""What breaks a deployment before a single message: no token in a detached container, a data folder
the bot cannot write, SIGTERM in the terminal chat (issue 18's defects 1, 2 and 4)."""
from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time

import pytest

from bot.storage.database import Storage, StorageError
from bot.storage.keys import SecretError, load_or_create_secret
from tests.auxil.cli import run_main
from tests.conftest import ROOT


def test_run_without_a_token_and_without_a_terminal_is_a_clear_error(tmp_path):
    proc = run_main("run", env={"BOT_DATA_DIR": str(tmp_path)}, input="")
    assert proc.returncode == 78
    assert "TELEGRAM_BOT_TOKEN" in proc.stderr and "python -m bot chat" in proc.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # nothing started


def test_a_data_folder_the_bot_cannot_write_says_how_to_fix_it(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="chown -R 10001:10001"):
        Storage(blocker / "data" / "bot.sqlite3")
    with pytest.raises(SecretError, match="BOT_DATA_DIR"):
        load_or_create_secret(blocker / "data", None)
    proc = run_main("chat", env={"BOT_DATA_DIR": str(blocker / "data")}, input="/quit\n")
    assert proc.returncode == 74, proc.stderr
    assert "cannot be written" in proc.stderr and "Traceback" not in proc.stderr


def _env(tmp_path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "BOT_DATA_DIR": str(tmp_path / "data")}


def _read_until(fd: int, needle: bytes, timeout: float = 60) -> bytes:
    got = b""
    end = time.monotonic() + timeout
    while needle not in got:
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {needle!r}; got {got[-500:]!r}")
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    return got


@pytest.mark.process
def test_run_without_a_token_in_a_terminal_starts_the_chat(tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--lang", "en"], cwd=ROOT, env=_env(tmp_path),
                            stdin=slave, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    try:
        out = _read_until(master, b"you> ")
        assert b"Terminal chat" in out and b"Hello!" in out
        os.write(master, b"/quit\n")
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


@pytest.mark.process
def test_sigterm_ends_the_terminal_chat_cleanly(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--lang", "en"], cwd=ROOT, env=_env(tmp_path),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = _read_until(proc.stdout.fileno(), b"Hello!")
        assert b"Hello!" in out
        proc.send_signal(signal.SIGTERM)  # stdin stays open: the chat is waiting for a line
        assert proc.wait(30) == 0, proc.stderr.read().decode()[-2000:]
        assert b"Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
