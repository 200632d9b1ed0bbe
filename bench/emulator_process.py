"""The Bot API emulator in a process of its own, for benchmarks: Telegram is a remote service.

In a test the emulator shares the bot's event loop, which is what tests want (one process,
deterministic waits). In a benchmark that sharing would bill the bot for the server's work:
every HTTP request the bot makes would also be parsed, validated and answered on the bot's
own loop, under the bot's GIL. Here the emulator runs in a child process and the users'
side of a measurement happens there too: the parent sends one command line ("these chats
ask these questions") and gets back the seconds until every chat showed its final answer,
timed by the child, plus the Bot API calls the bot made meanwhile.

Protocol: JSON lines. The child prints `{"base_url": ...}` once it listens; then for each
`{"chats": [[name, question], ...], "marker": M, "timeout": T}` on its stdin it answers
`{"seconds": S, "calls": {method: count}, "cpu": C}` (or `{"error": ...}`); it stops at end
of input.

    python bench/emulator_process.py --token TOKEN   (started by `EmulatorProcess`)
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot import messages  # noqa: E402
from bot.emulator import TelegramEmulator  # noqa: E402
from bot.emulator_messages import StoredMessage  # noqa: E402


@dataclass(frozen=True)
class Asked:
    """One round of questions: wall seconds until all were answered, the API calls, and the
    CPU seconds the emulator itself used meanwhile."""

    seconds: float
    calls: dict[str, int]
    emulator_cpu: float


def final_answer(bot_messages: Sequence[StoredMessage], marker: str) -> bool:
    """The chat shows a complete, cited answer starting with `marker` (not a streamed partial)."""
    return any(
        m.text.startswith(marker)
        and f"\n{messages.SOURCES_HEADER}\n" in m.text
        and not m.text.endswith(messages.PARTIAL_SUFFIX)
        for m in bot_messages
    )


async def ask_chats(
    emulator: TelegramEmulator,
    chats: Sequence[tuple[str, str]],
    *,
    marker: str,
    timeout: float,  # noqa: ASYNC109
) -> Asked:
    """New users (one per chat) each send their question at the same moment; waits until
    every chat shows its final answer."""
    users = [emulator.create_user(name) for name, _ in chats]
    calls_before = len(emulator.state.calls)
    waiting = {user["id"] for user in users}

    def all_answered() -> bool:  # only chats still waiting are looked at again
        waiting.difference_update(
            [chat for chat in waiting if final_answer(emulator.bot_messages(chat), marker)]
        )
        return not waiting

    started, cpu_started = time.perf_counter(), time.process_time()
    for user, (_, question) in zip(users, chats, strict=True):
        emulator.send_text(user["id"], question, user=user)
    await emulator.wait_until(all_answered, timeout=timeout)
    seconds = time.perf_counter() - started
    calls = collections.Counter(method for method, _ in emulator.state.calls[calls_before:])
    return Asked(seconds, dict(calls), time.process_time() - cpu_started)


class InProcessEmulator:
    """The same `ask` rounds against an emulator on this process's own event loop (as the
    tests run it), to show what sharing the loop costs."""

    def __init__(self, token: str) -> None:
        self._emulator = TelegramEmulator(token=token)
        self.base_url = ""

    async def __aenter__(self) -> Self:
        await self._emulator.start()
        self.base_url = self._emulator.base_url
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._emulator.stop()

    async def ask(
        self,
        chats: Sequence[tuple[str, str]],
        *,
        marker: str,
        timeout: float,  # noqa: ASYNC109
    ) -> Asked:
        return await ask_chats(self._emulator, chats, marker=marker, timeout=timeout)


class EmulatorProcess:
    """Parent side: starts the child, gives its `base_url`, forwards `ask` rounds."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._child: asyncio.subprocess.Process | None = None
        self.base_url = ""

    async def __aenter__(self) -> Self:
        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--token",
            self._token,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self.base_url = (await self._read())["base_url"]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        child = self._child
        if child is None:
            return
        assert child.stdin is not None
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), timeout=30)
        except TimeoutError:
            child.kill()
            await child.wait()

    async def ask(
        self,
        chats: Sequence[tuple[str, str]],
        *,
        marker: str,
        timeout: float,  # noqa: ASYNC109
    ) -> Asked:
        assert self._child is not None
        assert self._child.stdin is not None
        command = {"chats": [list(chat) for chat in chats], "marker": marker, "timeout": timeout}
        self._child.stdin.write(json.dumps(command).encode() + b"\n")
        await self._child.stdin.drain()
        reply = await self._read()
        if "error" in reply:
            raise RuntimeError(f"emulator process: {reply['error']}")
        return Asked(float(reply["seconds"]), dict(reply["calls"]), float(reply["cpu"]))

    async def _read(self) -> dict[str, Any]:
        assert self._child is not None
        assert self._child.stdout is not None
        line = await self._child.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process exited")
        return dict(json.loads(line))


async def serve(token: str) -> None:
    """Child side: run the emulator and answer commands until stdin closes."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with TelegramEmulator(token=token) as emulator:
        _write({"base_url": emulator.base_url})
        while line := await reader.readline():
            command = json.loads(line)
            try:
                asked = await ask_chats(
                    emulator,
                    [(str(name), str(question)) for name, question in command["chats"]],
                    marker=command["marker"],
                    timeout=float(command["timeout"]),
                )
            except TimeoutError:
                _write({"error": "timed out waiting for answers"})
            else:
                _write({"seconds": asked.seconds, "calls": asked.calls, "cpu": asked.emulator_cpu})


def _write(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    asyncio.run(serve(parser.parse_args().token))


if __name__ == "__main__":
    main()
