"""Builds the services of newsbot from settings: the one place where the layers are wired."""

from __future__ import annotations

import logging
import re
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_matcher import matcher_for_runtime
from bot.settings import Settings
from index.db import (
    make_engine,
    make_session_factory,
    sqlite_access_problem,
    upgrade_database,
)
from index.embedding import SentenceTransformerEmbedder
from index.errors import StorageError
from index.fetch import FetchPolicy
from index.index_open import OpenedIndex, open_for_reading
from index.pipeline import Indexer, IndexingConfig, RepairNotice
from index.protocols import Embedder
from index.snapshot_io import IndexPair
from retrieval.answering import Answerer
from retrieval.assistant import NewsAssistant
from retrieval.async_search import AsyncSearcher
from retrieval.corpus import build_catalog, passage_loader
from retrieval.llm import LLMConfig, LLMGenerator
from retrieval.search import HybridSearcher

log = logging.getLogger(__name__)


def masked_url(url: str) -> str:
    """`url` (a database or HTTP address) with its password shown as ***."""
    # The password runs to the first "@", as SQLAlchemy reads it: a generated one may hold
    # "/" or "+" unescaped ("pa/ss+w=" from base64), and the database still accepts it.
    return re.sub(r"(://[^:/@\s]*:)[^@]*@", r"\1***@", url)


def database_unavailable(
    settings: Settings, error: StorageError, problem: str | None = None
) -> str:
    """The start-up message for a database that cannot be opened: which one, the setting
    that chose it, and why (password masked), with the system's `problem` with its file
    when known. Chat users never see it: the engine is opened before the bot takes its
    first update."""
    if settings.database_url:
        where = f"{masked_url(settings.database_url)} (DATABASE_URL)"
    else:
        database = settings.data_dir / "newsbot.db"
        where = f"{database} (in NEWSBOT_DATA_DIR={settings.data_dir})"
    reason = (error.detail or error.user_message).rstrip(".")
    if problem is not None and problem not in reason:
        reason += f" ({problem})"
    password = _password(settings.database_url)
    if password and len(password) >= 4:  # shorter ones would mask ordinary words
        reason = reason.replace(password, "***")
    return f"Cannot open the database {where}: {reason}."


def _password(url: str) -> str | None:
    try:
        return make_url(url).password if url else None
    except ArgumentError:
        return None


class Runtime:
    """Holds the engine and the embedding model; makes the indexer, searcher and assistant."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._llm: LLMGenerator | None = None

    @cached_property
    def engine(self) -> Engine:
        """Opened (and migrated) once, at start-up: a failure names the database."""
        try:
            engine = make_engine(self.settings.resolved_database_url)
        except StorageError as exc:
            raise StorageError(database_unavailable(self.settings, exc)) from exc
        try:
            upgrade_database(engine)
        except StorageError as exc:
            engine.dispose()
            problem = sqlite_access_problem(self.settings.resolved_database_url)
            raise StorageError(database_unavailable(self.settings, exc, problem)) from exc
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(
                self.settings.embedding_model,
                precision=self.settings.embedding_precision,
                batch_size=self.settings.embedding_batch_size,
                threads=self.settings.cpu_threads,
            )
        return self._embedder

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def fetch_policy(self) -> FetchPolicy:
        return FetchPolicy(
            max_bytes=self.settings.fetch_max_bytes,
            timeout_seconds=self.settings.fetch_timeout_seconds,
            allow_private=self.settings.allow_private_urls,
        )

    def indexing_config(self) -> IndexingConfig:
        return IndexingConfig(
            chunk_words=self.settings.chunk_words,
            overlap_words=self.settings.chunk_overlap_words,
            approximate_threshold=self.settings.approximate_index_threshold,
            threads=self.settings.cpu_threads,
        )

    def indexer(self) -> Indexer:
        return Indexer(
            session_factory=self.sessions,
            embedder=self.embedder,
            index_dir=self.index_dir,
            config=self.indexing_config(),
        )

    def open_index(
        self,
        *,
        match_pending: bool = False,
        embed_missing: bool = True,
        notice: RepairNotice | None = None,
    ) -> IndexPair:
        """The index to answer from: `opened_index(...).pair`."""
        opened = self.opened_index(
            match_pending=match_pending, embed_missing=embed_missing, notice=notice
        )
        return opened.pair

    def opened_index(
        self,
        *,
        match_pending: bool = False,
        embed_missing: bool = True,
        notice: RepairNotice | None = None,
    ) -> OpenedIndex:
        """The index, opened for reading (`index/index_open.py`): with `embed_missing` (a
        one-shot command), chunks it lacks are embedded when no other writer holds it, and
        `notice` hears their count first; the bot leaves them to its index watch. With
        `match_pending` (the bot's start), the articles a killed run left unmatched are
        matched against the subscriptions too (those with vectors). A question from the
        command line leaves them to the bot and the next ingest: it must not pay for
        embedding every topic."""
        opened = open_for_reading(
            self.indexer(), self.index_dir, embed_missing=embed_missing, notice=notice
        )
        report = opened.report
        if report.added or report.removed:
            log.info("index repaired: %d added, %d removed", report.added, report.removed)
        pair = opened.pair
        if match_pending:
            matcher = matcher_for_runtime(self, lambda: pair.vectors)
            matcher.safe_match_pending(lambda: pair.vectors)
        return opened

    def searcher(self, pair: IndexPair) -> HybridSearcher:
        return HybridSearcher(
            self.embedder,
            pair.vectors,
            pair.keywords,
            build_catalog(self.sessions),
            passage_loader(self.sessions),
        )

    def llm_config(self) -> LLMConfig | None:
        s = self.settings
        if not s.llm_configured:
            return None
        return LLMConfig(
            base_url=s.openai_base_url,
            api_key=s.openai_api_key.get_secret_value() if s.openai_api_key else None,
            model=s.llm_model,
            timeout_seconds=s.llm_timeout_seconds,
            max_retries=s.llm_max_retries,
            max_tokens=s.llm_max_tokens,
        )

    def assistant(self, searcher: HybridSearcher) -> NewsAssistant:
        config = self.llm_config()
        if config is not None and self._llm is None:
            self._llm = LLMGenerator(config)
        answerer = Answerer(llm=self._llm, embedder=self.embedder, term_stats=searcher)
        return NewsAssistant(
            searcher=AsyncSearcher(searcher),
            answerer=answerer,
            timezone=self.settings.timezone,
            passages=self.settings.answer_passages,
        )

    async def aclose(self) -> None:
        if self._llm is not None:
            await self._llm.aclose()
            self._llm = None
        if "engine" in self.__dict__:
            self.engine.dispose()
