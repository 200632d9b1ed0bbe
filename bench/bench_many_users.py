"""Many users: 100 chats asking at once, against one at a time, in one run.

Everything is the real bot except the two remote services: the Application (built by
`bot.app.build_application`) long-polls the Bot API emulator, questions go through the real
`StoreNewsService` (built as `newsbot run` builds it) over a small index of the bundled
Wikinews sample embedded with the real model, and the LLM is the fake OpenAI server taking
1 s per answer. Both services run in processes of their own, as remote services would
(`bench/emulator_process.py`; `--in-process-emulator` puts the emulator on the bot's event
loop, as the tests do, to show what that costs). First three chats ask one after another
(the single-question latency; a sequential bot would take 100 times that), then 100 new
chats each send a question at the same moment and the wall time until every chat shows its
final cited answer is measured (by the emulator's process, which plays the users).
Target: all answered within 3 s (at least 33x faster than one at a time).

The emulator has no flood limit, so the bot's own throttle of requests to chats is off
(`max_chat_requests_per_second=0`), as in the fault tests; with `--throttle R` the burst is
repeated with the throttle on at R requests per second (30 is the default for real
Telegram, whose broadcast limit is about 30 messages per second).

    python bench/bench_many_users.py [--chats N] [--articles N] [--throttle R]
                                     [--in-process-emulator]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import (
    bench_settings,
    cpu_note,
    emit,
    load_embedder,
    median,
    sample_articles,
    verdict,
)
from emulator_process import EmulatorProcess, InProcessEmulator

from bot.app import BotConfig, build_application, polling
from bot.cli_run import build_service
from bot.news_service import StoreNewsService
from bot.processor import freeze_startup_heap
from bot.runtime import Runtime
from tests.fakes.openai_server import FakeOpenAIServer, Reply

NAME = "many_users"
TOKEN = "123456:BENCH-token"
LLM_SECONDS = 1.0
MARKER = "Reported:"  # every reply of the fake LLM starts with it
TARGET_SECONDS = 3.0


Telegram = EmulatorProcess | InProcessEmulator


def burst_chats(questions: list[str], label: str) -> list[tuple[str, str]]:
    return [(f"{label} {n}", question) for n, question in enumerate(questions)]


async def measure(
    service: StoreNewsService, questions: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    telegram: Telegram = (
        InProcessEmulator(TOKEN) if args.in_process_emulator else EmulatorProcess(TOKEN)
    )
    async with telegram:
        config = BotConfig(
            token=TOKEN,
            api_base_url=telegram.base_url,
            poll_timeout=1.0,
            max_chat_requests_per_second=0,  # the emulator has no flood limit
        )
        application = build_application(config, service)
        async with polling(application, poll_timeout=1.0):
            singles = [
                (
                    await telegram.ask([(f"Single {n}", questions[n])], marker=MARKER, timeout=60)
                ).seconds
                for n in range(3)
            ]
            single = median(singles)
            print(
                f"one question alone: {single:.2f} s "
                f"(rounds: {', '.join(f'{s:.2f}' for s in singles)}; the LLM takes "
                f"{LLM_SECONDS:.1f} s)"
            )
            cpu_started = time.process_time()
            asked = await telegram.ask(burst_chats(questions, "Burst"), marker=MARKER, timeout=300)
            cpu = time.process_time() - cpu_started
        per_answer = ", ".join(
            f"{method} {count / len(questions):.2f}"
            for method, count in sorted(asked.calls.items())
        )
        print(f"Bot API calls per question in the burst: {per_answer}")
        emulator_cpu = None if args.in_process_emulator else asked.emulator_cpu
        print(
            f"CPU time of the bot's process during the burst: {cpu:.2f} s "
            f"({1000 * cpu / len(questions):.0f} ms per question"
            + ("; the emulator's included)" if emulator_cpu is None else ")")
        )
        if emulator_cpu is not None:
            print(f"CPU time of the emulator's process meanwhile: {emulator_cpu:.2f} s")
        throttled = None
        if args.throttle > 0:
            config = dataclasses.replace(config, max_chat_requests_per_second=args.throttle)
            async with polling(build_application(config, service), poll_timeout=1.0):
                throttled = (
                    await telegram.ask(
                        burst_chats(questions, "Throttled"), marker=MARKER, timeout=300
                    )
                ).seconds
    return {
        "single": single,
        "wall": asked.seconds,
        "throttled": throttled,
        "calls": asked.calls,
        "cpu": cpu,
        "emulator_cpu": emulator_cpu,
    }


def serve_llm() -> None:
    """The fake LLM as its own process: prints its port, serves until stdin closes."""
    server = FakeOpenAIServer(
        default=Reply(content=f"{MARKER} the sources describe it [1].", delay=LLM_SECONDS),
        chunk_chars=16,
    )
    with server.in_thread():
        print(server.port, flush=True)
        sys.stdin.read()


@contextmanager
def llm_process() -> Iterator[str]:
    """Start `serve_llm` in a child process; yields its base URL."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-llm"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


async def run(args: argparse.Namespace) -> None:
    with llm_process() as llm_url, tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        settings = bench_settings(
            Path(tmp),
            openai_base_url=llm_url,
            openai_api_key="sk-bench-key",
            llm_timeout_seconds=30.0,
            questions_per_user_per_hour=1000,
        )
        embedder = await asyncio.to_thread(load_embedder, settings)
        runtime = Runtime(settings, embedder=embedder)
        articles = sample_articles(args.articles)

        def index() -> None:
            indexer = runtime.indexer()
            indexer.open()
            indexer.ingest(articles)

        await asyncio.to_thread(index)
        service = await asyncio.to_thread(build_service, runtime)
        frozen = freeze_startup_heap()  # as `newsbot run` does once the service is built
        print(f"machine: {cpu_note()}")
        print(f"start-up objects frozen out of garbage collection: {frozen}")
        print(
            f"index: {len(articles)} Wikinews articles, {settings.embedding_model} "
            f"({embedder.precision}); LLM: fake OpenAI server, {LLM_SECONDS:.0f} s per answer"
        )
        titles = [a.title for a in articles]
        questions = [f"What happened: {titles[n % len(titles)]}?" for n in range(args.chats)]
        try:
            result = await measure(service, questions, args)
        finally:
            service.assistant.searcher.close()
            await runtime.aclose()
    report(args, result)


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    chats, wall, single = args.chats, result["wall"], result["single"]
    sequential = chats * single
    speedup = sequential / wall
    print(
        f"{chats} chats at once: all answered by the LLM in {wall:.2f} s; "
        f"one at a time: ~{sequential:.0f} s "
        f"({chats} x {single:.2f} s); speed-up {speedup:.0f}x"
    )
    ok = wall <= TARGET_SECONDS
    print(f"target: all within {TARGET_SECONDS:.0f} s (>= 33x): {verdict(ok)}")
    if result["throttled"] is not None:
        print(
            f"with the throttle at {args.throttle:g} requests/s (real Telegram): all answered in "
            f"{result['throttled']:.2f} s"
        )
    emit(
        NAME,
        {
            "chats": chats,
            "single_s": round(single, 3),
            "all_at_once_s": round(wall, 3),
            "sequential_estimate_s": round(sequential, 1),
            "speedup": round(speedup, 1),
            "target_s": TARGET_SECONDS,
            "ok": ok,
            "throttled_s": None if result["throttled"] is None else round(result["throttled"], 3),
            "emulator": "in-process" if args.in_process_emulator else "own process",
            "bot_cpu_ms_per_question": round(1000 * result["cpu"] / chats, 1),
            "emulator_cpu_s": None
            if result["emulator_cpu"] is None
            else round(result["emulator_cpu"], 2),
            "api_calls_per_question": {
                method: round(count / chats, 2) for method, count in sorted(result["calls"].items())
            },
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--throttle", type=float, default=0.0)
    parser.add_argument(
        "--in-process-emulator",
        action="store_true",
        help="run the Bot API emulator on the bot's own event loop, as the tests do",
    )
    parser.add_argument("--serve-llm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_llm:
        serve_llm()
        return
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB warns about int retry_after otherwise
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
