"""Ctrl-C (SIGINT) in the offline chat ends it at once, at the prompt and while an answer is
still being worked on: one short line, exit code 130, no traceback. A real program on pipes
(tests/bot/offline_chat_child_opsbot.py) gets a real signal."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.terminal import PROMPT
from bot.terminal_interrupt import LEAVING

ROOT = Path(__file__).resolve().parents[2]
LIVENESS = 60.0  # seconds: a bound for a hang, far above any real wait


def _start(mode: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bot.offline_chat_child_opsbot", mode],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _read_until(stream: object, marker: bytes, seen: bytearray) -> None:
    fd = stream.fileno()  # type: ignore[attr-defined]
    deadline = time.monotonic() + LIVENESS
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"output ended without {marker!r}: {bytes(seen)!r}"
            seen += chunk


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=LIVENESS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("still running long after Ctrl-C") from None
    return process.returncode, out.decode(), err.decode()


def test_ctrl_c_at_the_prompt_ends_the_chat_with_one_line() -> None:
    process = _start("waits")
    out = bytearray()
    _read_until(process.stdout, PROMPT.encode(), out)
    process.send_signal(signal.SIGINT)
    code, rest, err = _finish(process)
    assert code == 130
    assert (out.decode() + rest).endswith(f"{PROMPT}\n{LEAVING}\n")
    assert "Traceback" not in err


def test_ctrl_c_while_an_answer_is_being_worked_on_ends_the_chat_at_once() -> None:
    process = _start("waits")
    assert process.stdin is not None
    out, err = bytearray(), bytearray()
    _read_until(process.stdout, PROMPT.encode(), out)
    process.stdin.write(b"Slow?\n")
    process.stdin.flush()
    _read_until(process.stderr, b"answering", err)
    process.send_signal(signal.SIGINT)  # the answer never comes: only Ctrl-C ends this
    code, rest, more_err = _finish(process)
    assert code == 130
    assert rest.endswith(f"{LEAVING}\n")
    assert rest.count(LEAVING) == 1
    assert "Traceback" not in err.decode() + more_err


def test_a_second_ctrl_c_quits_when_work_on_a_thread_holds_the_exit() -> None:
    process = _start("thread")
    assert process.stdin is not None
    out, err = bytearray(), bytearray()
    _read_until(process.stdout, PROMPT.encode(), out)
    process.stdin.write(b"Slow?\n")
    process.stdin.flush()
    _read_until(process.stderr, b"answering", err)
    process.send_signal(signal.SIGINT)
    _read_until(process.stdout, LEAVING.encode(), out)
    assert process.poll() is None  # the thread never ends: the way out waits for it
    process.send_signal(signal.SIGINT)
    code, _, more_err = _finish(process)
    assert code == 130
    assert "Traceback" not in err.decode() + more_err
