"""The segment writer that ties the extensions together.

FastSegmentWriter is Whoosh's SegmentWriter with our analysis, posting groups, codec and
copying merge, and add_documents, which takes a story's paragraphs with the fields they share
and does the shared work once. It is handed out only by our index class; commits write the
segment's checksums and remove only files that are ours.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import formats
from whoosh import index as whoosh_index
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

from .. import checksums
from .. import folder as index_folder
from . import analysis, merge, pool
from .analysis import RECENT_PARTS, JoinedText, index_items
from .blocks import _term_lists, write_terms
from .codec import FastCodec, FastPerDocWriter
from .merge import _mergeable, _merged_terms, _PageBudget, copy_documents
from .pool import _REUSABLE, FastPostingPool, _grouped_terms, _state, _WriterState
from .reader import FastSegmentReader, open_reader


def add_documents(writer, common: dict, documents: list[dict]) -> None:
    """add_document(**common, **document) for each document: by our writer's
    add_documents, or one at a time by a stock Whoosh writer."""
    if isinstance(writer, FastSegmentWriter):
        writer.add_documents(common, documents)
        return
    for document in documents:
        writer.add_document(**common, **document)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with FastCodec, FastPostingPool, reused and one-loop
    analysis and posting groups. It is handed out for this project's schema only, whose
    analysis is a pure function of a field's value (reused analysis relies on it)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, codec=FastCodec(), **kwargs)
        # SegmentWriter ignores its poolclass argument and makes a PostingPool
        self.pool = FastPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def pool_room(self) -> int:
        """Bytes of postings (as the posting pool estimates them) this writer can still
        hold before its pool spills sorted runs to disk."""
        state = _state(self)
        return self.pool.limit - self.pool.currentsize - state.group_bytes \
            - state.postings_bytes

    def reader(self, reuse=None):
        """The index as this writer found it, through our readers (deletions by term
        read it)."""
        self._check_state()
        return open_reader(self.storage, self.schema, self.segments, self.generation,
                           reuse=reuse)

    def add_document(self, **fields):
        self._check_state()
        plan, plain = self._plan(fields)
        self._add_one(fields, plan, plain, self._doc_boost(fields))
        self._added = True
        self._bounded()

    def _bounded(self) -> None:
        """Groups past pool.COMPACT_BYTES become posting lists; past the pool's limit, all go
        to the pool, which keeps memory bounded: it writes sorted runs to disk."""
        state = _state(self)
        if state.group_bytes > pool.COMPACT_BYTES:
            pool.compact(state)
        if state.group_bytes + state.postings_bytes > self.pool.limit:
            pool.spill_groups(self)

    def add_documents(self, common: dict, documents: list[dict]) -> None:
        """add_document(**common, **document) for each of the documents, in order, with
        the fields of `common` (a story's, on each of its paragraphs) analysed, grouped,
        measured and stored once for all of them instead of once a document: the same
        segment. No field may be in both, nor be a keyword (_boost, _stored_...)."""
        if not documents:
            return
        self._check_state()
        shared = self._shared_plan(common)
        if shared is None:  # not ours to shortcut: one document at a time
            for document in documents:
                self.add_document(**common, **document)
            return
        plan, stored = shared
        first = self.docnum
        orders: dict[tuple, list[str]] = {}  # a document's own stored names -> all, in order
        for document in documents:
            own_plan, plain = self._plan(document)
            if not plain or not common.keys().isdisjoint(document):
                raise ValueError("add_documents: a document repeats a shared field or "
                                 f"names a keyword: {sorted(document)}")
            self._add_one(document, own_plan, True, 1.0, stored, orders)
        self._added = True
        self._add_shared(common, plan, first, self.docnum - first)
        self._bounded()

    def _add_one(self, fields: dict, plan: list, plain: bool, docboost: float,
                 shared: dict | None = None, orders: dict | None = None) -> None:
        """One document: its fields, and the stored values of fields it shares
        (add_documents), stored with its own by field name, as add_document orders them."""
        perdoc = self.perdocwriter
        perdoc.start_doc(self.docnum)
        try:
            self._add_fields(fields, plan, plain, docboost)
        except Exception as ex:
            perdoc.cancel_doc()
            raise ex
        if shared and orders is not None:
            own = perdoc._storedfields
            keys = tuple(own)
            order = orders.get(keys)
            if order is None:
                order = orders[keys] = sorted((*shared, *keys))
            perdoc._storedfields = {name: own[name] if name in own else shared[name]
                                    for name in order}
        perdoc.finish_doc()
        self.docnum += 1

    def _plan(self, fields: dict) -> tuple[list, bool]:
        """What each field's settings say for a document of these keys, looked up once a
        shape; "plain": no _boost or _stored_ keyword in the document."""
        state = _state(self)
        shape = tuple(fields)
        known = state.shapes.get(shape)
        if known is None:
            schema = self.schema
            fieldnames = sorted(name for name in fields if not name.startswith("_"))
            self._check_fields(schema, fieldnames)
            if len(state.shapes) >= 64:
                state.shapes.clear()
            plan = [(name, field, field.indexed, field.scorable, field.separate_spelling(),
                     field.vector, field.stored, field.column_type)
                    for name in fieldnames for field in [schema[name]]]
            known = state.shapes[shape] = (plan, len(fieldnames) == len(fields))
        return known

    def _shared_plan(self, common: dict) -> tuple[list, dict] | None:
        """The plan of `common`'s fields and the values of those stored, when
        add_documents may add them once for all documents: plain fields, no spelling words
        or vectors, and our per-document writer."""
        plan, plain = self._plan(common)
        if not plain or type(self.perdocwriter) is not FastPerDocWriter \
                or any(spelling or vformat for _, _, _, _, spelling, vformat, _, _ in plan):
            return None
        return plan, {name: common[name] for name, *_, stored, _ in plan
                      if stored and common[name] is not None}

    @staticmethod
    def _items(state: _WriterState, fieldname: str, field, value) -> list:
        """The field's index items for the value: the last value's again when it is the
        same (the reused analysis), else analysed now and remembered."""
        remembered = state.last.get(fieldname)
        kind = type(value)
        if remembered is not None and type(remembered[0]) is kind and remembered[0] == value:
            return remembered[1]
        items = None
        recent = state.recent
        if kind is JoinedText:
            items = analysis.summed_parts(recent, field, value)
        if items is None:
            items = index_items(field, value)
            if kind in _REUSABLE:
                state.last[fieldname] = (value, items)
            if kind is str and type(field.format) is not formats.Existence:
                # for a JoinedText of analysed texts: not ids, which would crowd them out
                if len(recent) >= RECENT_PARTS:
                    recent.clear()
                recent[(id(field.analyzer), value)] = items
        return items

    @staticmethod
    def _group(state: _WriterState, fieldname: str, items: list, fieldboost: float,
               scorable: bool, docnums: list[int]) -> list:
        """Posting groups: the documents join the field's last group when they bring the same
        analysed terms, or start a group; postings are made at the flush."""
        fieldgroups = state.groups.get(fieldname)
        if fieldgroups is None:
            fieldgroups = state.groups[fieldname] = []
        group = fieldgroups[-1] if fieldgroups else None
        if group is not None and group[0] is items and group[1] == fieldboost:
            group[2].extend(docnums)
            state.group_bytes += pool.DOCNUM_BYTES * len(docnums)
            return group
        length = sum(item[1] for item in items) if scorable else 0
        group = [items, fieldboost, docnums, length]
        fieldgroups.append(group)
        state.group_bytes += pool.GROUP_BYTES * len(items) + pool.DOCNUM_BYTES * len(docnums)
        return group

    @staticmethod
    def _column_value(state: _WriterState, fieldname: str, field, value):
        """The field's column value for the value; the last one's again when the same (a
        story's paragraphs bring the same sortable values: date, story_id)."""
        column_values = state.column_values
        previous = column_values.get(fieldname)
        if previous is not None and type(previous[0]) is type(value) \
                and previous[0] == value:
            return previous[1]
        cv = field.to_column_value(value)
        if type(value) in _REUSABLE:
            column_values[fieldname] = (value, cv)
        return cv

    def _add_fields(self, fields: dict, plan: list, plain: bool, docboost: float) -> None:
        """The document's fields (between the per-document writer's start_doc and
        finish_doc), as SegmentWriter.add_document adds them."""
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        state = _state(self)
        vbytes = None
        for fieldname, field, indexed, scorable, spelling, vformat, stored, column in plan:
            value = fields.get(fieldname)
            if value is None:
                continue

            length = 0
            if indexed:
                fieldboost = docboost if plain else self._field_boost(fields, fieldname,
                                                                      docboost)
                length = self._group(state, fieldname, self._items(state, fieldname, field, value),
                                     fieldboost, scorable, [docnum])[3]

            if spelling:
                spellfield = field.spelling_fieldname(fieldname)
                for word in field.spellable_words(value):
                    word = utf8encode(word)[0]
                    self.pool.add((spellfield, word, 0, 1, vbytes))  # sic, as Whoosh

            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)

            customval = value if plain else fields.get(f"_stored_{fieldname}", value)
            sv = customval if stored else None
            perdocwriter.add_field(fieldname, field, sv, length)

            if column and customval is not None:
                perdocwriter.add_column_value(
                    fieldname, column, self._column_value(state, fieldname, field, customval))

    def _add_shared(self, common: dict, plan: list, first: int, count: int) -> None:
        """add_documents' shared fields for its `count` documents from `first`: each
        field's terms grouped for them all, its length byte and column value for each
        (their stored values are in each document's already)."""
        perdoc = self.perdocwriter
        state = _state(self)
        docnums = list(range(first, first + count))
        for fieldname, field, indexed, scorable, _, _, _, column in plan:
            value = common.get(fieldname)
            if value is None:
                continue
            length = self._group(state, fieldname, self._items(state, fieldname, field, value),
                                 1.0, scorable, docnums[:])[3] if indexed else 0
            if length:
                perdoc.add_lengths(fieldname, first, length, count)
            if column:
                cv = self._column_value(state, fieldname, field, value)
                if not perdoc._has_column(fieldname):
                    perdoc._create_column(fieldname, column)
                add = perdoc._get_column(fieldname).add
                for docnum in docnums:
                    add(docnum, cv)

    def add_reader(self, reader):
        """The copying merge: a segment of this index copied without the posting pool; any other
        reader as Whoosh adds it."""
        if not _mergeable(self, reader):
            return super().add_reader(reader)
        self.add_segment(reader.segment())

    def add_segment(self, segment) -> None:
        """Copy the live documents of a committed segment of this index (deletions as
        the segment object records them) into this writer's segment (the copying merge)."""
        self._check_state()
        if any(field.vector for _, field in self.schema.items()):
            reader = FastSegmentReader(self.storage, self.schema, segment)
            try:
                return super().add_reader(reader)
            finally:
                reader.close()
        # our own reader of the segment, open until the flush; its files stay until the
        # commit's new table of contents is written
        source = FastSegmentReader(self.storage, self.schema, segment)
        try:
            base = self.docnum
            live = copy_documents(self, source)
        except BaseException:
            source.close()
            raise
        _state(self).merged.append((source, base, live))
        self._added = True

    def _flush_segment(self):
        state = self.__dict__.get("_indexer_state")
        if state is None or not (state.groups or state.postings or state.merged):
            return super()._flush_segment()
        pool.compact(state)
        postings, state.postings = state.postings, {}
        state.group_bytes = state.postings_bytes = 0
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        terms = _term_lists(self.pool.iter_postings())
        if postings:
            terms = _grouped_terms(postings, terms)
        if state.merged:
            budget = _PageBudget([source for source, _, _ in state.merged], state.progress)
            terms = _merged_terms([terms] + [
                merge.segment_terms(source, self.schema, base, live, budget)
                for source, base, live in state.merged])
        write_terms(self.fieldwriter, self.schema, lengths, terms)
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        folder = getattr(self.storage, "folder", None)
        if folder is not None:  # checksummed before any table of contents lists it
            checksums.write_sums(folder, segment.segment_id())
        return segment

    def report_merge_progress(self, progress: Callable[[float], None]) -> None:
        """Have a merge at this writer's flush call progress(share of the merged
        segments' postings written, 0 to 1), at each percent."""
        _state(self).progress = progress

    def keep_unlisted_files(self) -> None:
        """At this writer's commit, leave the files of segments its table of contents does
        not list and the index's temporary folder (Whoosh deletes both): a worker may be
        writing a segment beside it. Only the files of the segments the commit drops
        (merged into another) go, with the earlier tables of contents."""
        state = _state(self)
        state.keep_files = True
        state.listed = {segment.segment_id() for segment in self.segments}

    def _commit_toc(self, segments):
        # Not Whoosh's clean_files: it deletes every file shaped like a segment's that the
        # new table of contents does not list, a user's own included. Only journaled
        # segments' files go (indexer.store.folder).
        state = _state(self)
        whoosh_index.TOC(self.schema, segments, self.generation).write(self.storage,
                                                                       self.indexname)
        folder = getattr(self.storage, "folder", None)
        if folder is None:
            return
        listed = {segment.segment_id() for segment in segments}
        # with keep_files, only the segments this commit drops: workers write beside it
        dropped = state.listed - listed if state.keep_files else None
        index_folder.remove_unlisted(folder, self.generation, listed, dropped=dropped)

    def _finish(self):
        if not _state(self).keep_files:
            return super()._finish()
        if self._searcher is not None:  # Whoosh's _finish, but for the temporary folder
            self._searcher._orig_close()
            self._searcher = None
        if self.writelock:
            self.writelock.release()
        self.is_closed = True

    def _close_segment(self):
        state = self.__dict__.get("_indexer_state")
        if state is not None:
            for source, _, _ in state.merged:
                source.close()
            state.merged = []
        try:
            super()._close_segment()
        except OSError:
            # a full disk: Whoosh stops at the first file that cannot be written and keeps
            # the rest open, and the space of deleted files held open is not freed
            for handle in self._open_files():
                try:
                    handle.close()
                except (OSError, ValueError):
                    pass
            self.pool.cleanup()
            raise

    def _open_files(self) -> list:
        """The files a writer may hold open while it writes its segment."""
        perdoc, fields = self.perdocwriter, self.fieldwriter
        found = [getattr(getattr(perdoc, "_cols", None), "_temp", None),
                 getattr(perdoc, "_vpostfile", None), getattr(fields, "_postfile", None),
                 getattr(getattr(fields, "_tindex", None), "dbfile", None)]
        return [handle for handle in found if handle is not None]

    def _partial_segment(self):
        # Whoosh's single-segment multiprocessing writer merges its sub-writers' pools
        pool.spill_groups(self)
        return super()._partial_segment()
