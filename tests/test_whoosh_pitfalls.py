"""Each known Whoosh pitfall, and the defence against it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from whoosh.fields import DATETIME, ID, Schema
from whoosh.index import TOC, FileIndex, LockError
from whoosh.writing import IndexWriter

from indexer import Index
from indexer.errors import IndexIntegrityError
from indexer.model import naive_utc
from indexer.store.storage import commit_verified, create_durable, new_writer, open_durable


def small_index(path: Path):
    return create_durable(str(path), Schema(id=ID(stored=True, unique=True),
                                            when=DATETIME(stored=True)))


class DroppingWriter:
    """A writer that loses every third document, as the multiprocessing writer can
    without multisegment=True (mchaput/whoosh#35)."""

    def __init__(self, inner: IndexWriter) -> None:
        self.inner = inner
        self.seen = 0

    def add_document(self, **fields) -> None:
        self.seen += 1
        if self.seen % 3:
            self.inner.add_document(**fields)

    def commit(self, **options) -> None:
        self.inner.commit(**options)

    def cancel(self) -> None:
        self.inner.cancel()


def test_lost_documents_are_detected_after_commit(tmp_path: Path) -> None:
    ix = small_index(tmp_path / "ix")
    writer = DroppingWriter(ix.writer())
    for n in range(9):
        writer.add_document(id=str(n))
    with pytest.raises(IndexIntegrityError, match="holds 6 documents .* expected 9"):
        commit_verified(ix, writer, expected_docs=9)


def test_multiprocess_writer_is_always_multisegment(tmp_path: Path) -> None:
    ix = small_index(tmp_path / "ix")
    writer = new_writer(ix, procs=2)
    assert writer.multisegment is True
    for n in range(300):
        writer.add_document(id=str(n))
    commit_verified(ix, writer, expected_docs=300)
    assert ix.doc_count() == 300


def test_failed_commit_releases_the_write_lock(tmp_path: Path, monkeypatch) -> None:
    ix = small_index(tmp_path / "ix")
    writer = ix.writer()
    writer.add_document(id="a")

    def broken_toc(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(writer), "_commit_toc", broken_toc)
    with pytest.raises(OSError, match="disk full"):
        commit_verified(ix, writer, expected_docs=1)
    monkeypatch.undo()
    # without the cancel the lock would still be held and this would raise LockError
    try:
        second = ix.writer()
    except LockError:  # pragma: no cover - the failure this test guards against
        pytest.fail("write lock still held after a failed commit")
    second.add_document(id="b")
    commit_verified(ix, second, expected_docs=1)


def test_commit_fsyncs_new_files_and_the_folder(tmp_path: Path, monkeypatch) -> None:
    ix = small_index(tmp_path / "ix")
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    writer = ix.writer()
    writer.add_document(id="a")
    commit_verified(ix, writer, expected_docs=1)
    folder = str((tmp_path / "ix").resolve())
    names = [Path(p).name for p in synced]
    assert folder in synced  # the directory entry of the renamed TOC
    assert any(n.endswith(".seg") for n in names)  # the new segment
    assert any(".toc." in n for n in names)  # the TOC, before its rename
    toc_sync = max(i for i, n in enumerate(names) if ".toc." in n)
    seg_sync = max(i for i, n in enumerate(names) if n.endswith(".seg"))
    assert seg_sync < toc_sync  # segment on disk before the TOC that names it


def test_aware_datetimes_are_stored_as_naive_utc(tmp_path: Path) -> None:
    ix = small_index(tmp_path / "ix")
    aware = datetime(2026, 9, 13, 7, 40, tzinfo=timezone(timedelta(hours=-4)))
    writer = ix.writer()
    writer.add_document(id="a", when=naive_utc(aware))
    writer.add_document(id="b", when=naive_utc(datetime(2026, 9, 13, 11, 40, tzinfo=UTC)))
    writer.add_document(id="c", when=naive_utc(datetime(2026, 9, 13, 11, 40)))
    commit_verified(ix, writer, expected_docs=3)
    with ix.searcher() as searcher:
        values = {d["id"]: d["when"] for d in searcher.all_stored_fields()}
    assert values == {k: datetime(2026, 9, 13, 11, 40) for k in "abc"}
    assert all(v.tzinfo is None for v in values.values())


def test_story_dates_come_back_naive(corpus_index: Index) -> None:
    story = corpus_index.story("world/aleppo-truce")
    assert story.date == datetime(2026, 9, 13, 11, 40) and story.date.tzinfo is None


def test_reading_the_schema_survives_a_commit_replacing_the_toc(tmp_path: Path,
                                                                monkeypatch) -> None:
    # A writer commits between the reader listing the folder and opening the TOC it found
    # (the race a query process met during a nightly run): the listed file is gone.
    ix = small_index(tmp_path)
    writer = new_writer(ix)
    writer.add_document(id="a")
    commit_verified(ix, writer, expected_docs=1)
    stale = ix.latest_generation() - 1
    real = TOC._latest_generation
    races = {"left": 1}

    def racing(storage, indexname):
        if races["left"]:
            races["left"] -= 1
            return stale
        return real(storage, indexname)

    monkeypatch.setattr(TOC, "_latest_generation", staticmethod(racing))
    with pytest.raises(FileNotFoundError):
        FileIndex(ix.storage, indexname=ix.indexname)  # stock Whoosh fails on the race
    races["left"] = 1
    assert "id" in ix.schema.names()
    races["left"] = 1
    reopened = open_durable(str(tmp_path))
    assert races["left"] == 0
    assert reopened.doc_count() == 1
