"""The per-user question limit."""

from __future__ import annotations

import pytest

from bot.ratelimit import QuestionLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_per_user() -> None:
    clock = Clock()
    limiter = QuestionLimiter(2, window=60.0, clock=clock)
    assert limiter.try_acquire(1) is None
    clock.now += 10
    assert limiter.try_acquire(1) is None
    assert limiter.try_acquire(2) is None  # other users have their own window
    clock.now += 10
    assert limiter.try_acquire(1) == pytest.approx(40.0)  # the first question expires at +60
    clock.now += 40
    assert limiter.try_acquire(1) is None


def test_refused_questions_do_not_count() -> None:
    clock = Clock()
    limiter = QuestionLimiter(1, window=60.0, clock=clock)
    assert limiter.try_acquire(1) is None
    for _ in range(5):
        assert limiter.try_acquire(1) is not None
    clock.now += 60
    assert limiter.try_acquire(1) is None


def test_zero_disables_and_window_must_be_positive() -> None:
    limiter = QuestionLimiter(0)
    assert all(limiter.try_acquire(1) is None for _ in range(100))
    with pytest.raises(ValueError, match="window"):
        QuestionLimiter(1, window=0)


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    limiter = QuestionLimiter(1, window=10.0, clock=clock)
    for user_id in range(2000):
        limiter.try_acquire(user_id)
    clock.now += 20
    limiter.try_acquire(99_999)
    assert limiter.tracked_users < 100


def test_zero_from_the_settings_switches_the_limit_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli_run import bot_config
    from bot.settings import Settings

    monkeypatch.setenv("QUESTIONS_PER_USER_PER_HOUR", "0")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.questions_per_user_per_hour == 0
    limiter = QuestionLimiter(bot_config(settings).questions_per_user_per_hour)
    assert all(limiter.try_acquire(7) is None for _ in range(100))
    monkeypatch.setenv("QUESTIONS_PER_USER_PER_HOUR", "-1")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings(_env_file=None)  # type: ignore[call-arg]
