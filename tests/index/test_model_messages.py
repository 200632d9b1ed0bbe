"""The advice for an embedding model that does not load fits the situation: downloads
turned off (HF_HUB_OFFLINE=1), no network, or a name Hugging Face does not know."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError

from index.model_resolve import LoadFailure, load_failure, unavailable_message

ROOT = Path(__file__).resolve().parents[2]
SKIP_DOWNLOADS = "set HF_HUB_OFFLINE=1 to skip"


def _raised(error: BaseException, cause: BaseException | None = None) -> OSError:
    """The OSError transformers raises over the hub library's error, with its chain."""
    try:
        try:
            raise error from cause
        except Exception as hub_error:
            raise OSError("We couldn't connect to 'https://huggingface.co'") from hub_error
    except OSError as outer:
        return outer


class _NoSuchRepo(RepositoryNotFoundError):
    def __init__(self) -> None:
        Exception.__init__(self, "404 Client Error: Repository Not Found")


def test_no_download_tried_means_downloads_are_off() -> None:
    error = _raised(LocalEntryNotFoundError("outgoing traffic has been disabled"))
    assert load_failure(error) is LoadFailure.OFFLINE
    message = unavailable_message("org/some-model", local=False, failure=LoadFailure.OFFLINE)
    assert SKIP_DOWNLOADS not in message
    assert "downloads are turned off (HF_HUB_OFFLINE=1)" in message
    assert "unset HF_HUB_OFFLINE" in message


def test_a_failed_download_keeps_the_offline_advice() -> None:
    error = _raised(LocalEntryNotFoundError("cannot find it"), ConnectionError("no route"))
    assert load_failure(error) is LoadFailure.UNREACHABLE
    message = unavailable_message("org/some-model", local=False, failure=LoadFailure.UNREACHABLE)
    assert SKIP_DOWNLOADS in message
    assert "Connect to the internet once" in message


def test_an_unknown_name_says_check_the_name() -> None:
    assert load_failure(_raised(_NoSuchRepo())) is LoadFailure.NOT_ON_HUB
    message = unavailable_message("org/typo-model", local=False, failure=LoadFailure.NOT_ON_HUB)
    assert "Check the name" in message
    assert "HF_HUB_OFFLINE" not in message
    assert load_failure(ValueError("something else")) is LoadFailure.UNREACHABLE


def test_a_real_load_with_hf_hub_offline_set_gets_the_fitting_advice(tmp_path: Path) -> None:
    # The library as installed, in its own process (it reads HF_HUB_OFFLINE at import).
    script = (
        "from index.embedding import SentenceTransformerEmbedder\n"
        "try:\n"
        "    SentenceTransformerEmbedder('newsbot-test/no-such-model').load()\n"
        "except Exception as exc:\n"
        "    print(exc)\n"
    )
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "'newsbot-test/no-such-model'" in result.stdout, result.stderr
    assert "downloads are turned off" in result.stdout
    assert SKIP_DOWNLOADS not in result.stdout
