"""Shared fixtures: the project's own corpus, scratch story folders, and the shared data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import Index

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"


def story_text(city: str = "BEIRUT", region: str | None = None, agency: str = "AP",
               headline: str = "Test headline", lead: str = "The lead paragraph.",
               paragraphs: tuple[str, ...] = (), tags: str | None = "test") -> str:
    """An AP-style story built from parts, for tests that need many small files."""
    place = f"{city}, {region}" if region else city
    parts = [headline, f"{place} ({agency}) — {lead}", *paragraphs]
    if tags is not None:
        parts.append(f"filed under: {tags}")
    return "\n\n".join(parts) + "\n"


def file_size_limit() -> None:
    """For a child process (preexec_fn): a write past 64 KB fails with EFBIG, as a full
    disk fails a write with ENOSPC."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of corpus/ that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The bundled corpus ingested once for the whole session (read-only use)."""
    path = tmp_path_factory.mktemp("corpus-index") / "index"
    index = Index.create(str(path))
    report = index.ingest([str(CORPUS)])
    assert report.rejected == 0, report.errors
    yield index
    index.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA
