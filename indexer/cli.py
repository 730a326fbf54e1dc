"""The `indexer` command: a thin layer over the Python API in indexer.index."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING

import click

from . import __version__
from .errors import (
    EXIT_INDEX,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_NO_HITS,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
)
from .failures import Guarded, fail
from .output import format_stats, format_text, print_hits, say, to_json
from .textio import printable, terminal_safe

if TYPE_CHECKING:
    from .cluster_queries import ClusterQueries
    from .enrich.people import PeopleFinder
    from .index import Index
    from .store.results import Hit

# The heavy modules (Whoosh, the readers, the ranking) are imported by the commands that
# use them: `indexer --help` and a mistyped option answer at once.

# the readers' names (indexer.formats.READERS; tests/test_cli.py keeps the two equal)
FORMATS = ("reuters", "trec", "newsml-g2", "newsml-1.2", "nitf", "ninjs", "anpa", "iptc7901",
           "ap")


SEGMENTS_WORTH_OPTIMIZING = 10  # each segment adds term lookups to every query

INDEX_OPTION = click.option(
    "--index", "index_path", envvar="INDEXER_INDEX", default=None, metavar="DIR",
    help="Index folder (default: $INDEXER_INDEX, else ./index).")


def open_index(path: str | None) -> Index:
    from .errors import IndexDamagedError, IndexNotFoundError, SchemaVersionError
    from .index import Index, default_index_path

    try:
        return Index.open(path)
    except (IndexNotFoundError, SchemaVersionError, IndexDamagedError) as exc:
        fail(printable(str(exc)), EXIT_INDEX)
    except Exception as exc:  # a damaged index: say so, no traceback
        fail(f"cannot open index at {path or default_index_path()}, it is corrupt "
             f"({type(exc).__name__}: {printable(str(exc))[:200]}); rebuild it into a fresh "
             "--index folder", EXIT_INDEX)
    raise AssertionError("unreachable")


def _cluster_queries(path: str | None, scheduler: str) -> ClusterQueries:
    """The index's queries answered on a Dask scheduler's workers."""
    from .cluster_queries import ClusterQueries
    from .index import default_index_path

    return ClusterQueries(path or default_index_path(), scheduler)


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="indexer")
def main() -> None:
    """Index agency wire copy with Whoosh and search it as ranked paragraphs."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@INDEX_OPTION
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto",
              show_default=True, help="Wire format of the files; auto detects it from content.")
@click.option("--prune", is_flag=True, help="Remove stories whose files no longer exist.")
@click.option("--batch-files", type=click.IntRange(1), default=2000, show_default=True,
              help="Commit after this many changed files (or 18,000 paragraphs a worker, "
                   "or a nearly full posting pool).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that each read, parse and index files (a large one shared "
                   "among them) into a segment of their own; a batch's segments are "
                   "committed together.")
@click.option("--merge/--no-merge", default=True, show_default=True,
              help="Merge segments by size tier as the run goes (--no-merge: a faster bulk "
                   "load, then `indexer optimize`).")
@click.option("--shard-by", type=click.Choice(["year", "month"]), default=None,
              help="Make a new --index folder an archive of time shards searched as one "
                   "(later runs follow it without the option).")
@click.option("--scheduler", envvar="INDEXER_SCHEDULER", default=None, metavar="ADDRESS",
              help="An archive's shards ingested as Dask tasks: 'local' (a cluster of "
                   "--workers processes) or tcp://HOST:PORT (needs the cluster extra).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary; errors only.")
@click.option("--log-file", type=click.Path(dir_okay=False), default=None,
              help="Append rejections and the run summary to this file.")
@click.option("--json-report", type=click.Path(dir_okay=False), default=None,
              help="Write the run summary as JSON to this file.")
@click.option("--people-model", envvar="INDEXER_PEOPLE_MODEL", default=None,
              type=click.Path(dir_okay=False),
              help="Find people with a model from `indexer people train` (default: rules).")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links that lead out of the folders given, and enter "
                   "linked folders (default: neither, as ripgrep and rsync).")
def ingest(paths: tuple[str, ...], index_path: str | None, fmt: str, prune: bool,
           batch_files: int, workers: int, merge: bool, shard_by: str | None,
           scheduler: str | None, quiet: bool,
           log_file: str | None, json_report: str | None, people_model: str | None,
           follow_symlinks: bool) -> None:
    """Ingest wire files and folders (recursively) into the index. Default path: corpus/.

    Unchanged files are skipped, changed ones replace their stories. Quiet when not on a
    terminal, so it can run from cron: only rejected files are reported, on stderr."""
    from .index import Index, default_index_path
    from .ingest.ledger import Rejection
    from .ingest.walk import walk

    paths_list = list(paths) or ["corpus"]
    missing = [path for path in paths_list if not os.path.lexists(path)]
    if missing:  # a typo in a crontab line: say so, and create no empty index
        fail(f"no such file or folder: {printable(missing[0])}", EXIT_USAGE)
    interactive = sys.stderr.isatty() and not quiet
    started = _utc_now()
    finder = _people_finder(people_model)
    with ExitStack() as stack:
        log = stack.enter_context(open(log_file, "a", encoding="utf-8")) if log_file else None

        def on_reject(rejection: Rejection) -> None:
            line = f"rejected {rejection}"
            if interactive:  # our own sequence clears the progress bar's line first
                click.echo(f"\r\x1b[K{terminal_safe(line)}", err=True)
            else:
                say(line, err=True)
            if log:
                log.write(f"{_utc_now()} {line}\n")

        on_file = None
        if interactive:
            total = sum(1 for _ in walk(paths_list, follow_symlinks))
            bar = stack.enter_context(click.progressbar(
                length=total, label="ingesting", file=sys.stderr, show_pos=True))
            on_file = lambda _path: bar.update(1)  # noqa: E731
        try:
            options: dict = {}
            if scheduler:
                from .archive import is_archive

                if not (shard_by or is_archive(index_path or default_index_path())):
                    fail("--scheduler runs an archive's shards: make one with --shard-by",
                         EXIT_USAGE)
                options["scheduler"] = scheduler
            try:
                index = Index.create(index_path, shard_by=shard_by)
            except ValueError as exc:  # --shard-by that the index folder cannot take
                fail(str(exc), EXIT_USAGE)
            report = index.ingest(paths_list, fmt=fmt, prune=prune, batch_files=batch_files,
                                  workers=workers, on_file=on_file, on_reject=on_reject,
                                  people=finder, merge=merge,
                                  follow_symlinks=follow_symlinks, **options)
        # the errors a caller may catch reach the guard, which gives each its exit code
        except KeyboardInterrupt:
            fail("interrupted; the index holds everything up to the last commit",
                 EXIT_INTERRUPTED)
        except OSError as exc:
            fail(f"cannot write index at {index_path or default_index_path()}: {exc}",
                 EXIT_INDEX)
        if interactive:
            bar.render_finish()
        if log:
            log.write(f"{_utc_now()} {report.summary()}\n")
    if json_report:
        with open(json_report, "w", encoding="utf-8") as f:
            json.dump({"started": started, "finished": _utc_now(),
                       "outcome": "ok" if report.ok else "rejected", **report.to_dict()},
                      f, indent=2)
    if interactive:
        say(report.summary(), err=True)
    sys.exit(EXIT_OK if report.ok else EXIT_REJECTED)


@main.command()
@click.argument("query")
@INDEX_OPTION
@click.option("--person", help='Only stories naming this person ("John Kerry", or a surname).')
@click.option("--tag", help="Only stories filed under this tag.")
@click.option("--place", help="Only stories datelined in this city, state or country.")
@click.option("--since",
              help="Stories dated on or after: YYYY[-MM[-DD]], ISO time, or 7d/2w/3m/1y ago.")
@click.option("--until", help="Stories dated on or before (a whole day, month or year).")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True,
              help="Skip the first N hits (the next page: --offset LIMIT).")
@click.option("--count", "count_all", is_flag=True,
              help="Also count every matching paragraph and story (reads every match: "
                   "seconds for a common word in a big archive).")
@click.option("--group", is_flag=True,
              help="Each story once, with its best paragraphs (--per-story, default 3); "
                   "--limit and --offset then count stories.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
              default="relevance", show_default=True,
              help="Best first, or every match by its story's date.")
@click.option("--per-story", type=click.IntRange(1), default=None,
              help="At most this many paragraphs from any one story.")
@click.option("--format", "output", type=click.Choice(["text", "json", "jsonl", "trec"]),
              default="text", show_default=True)
@click.option("--qid", default="1", show_default=True, help="Query id for --format trec.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Bold highlights and coloured headers.")
@click.option("--all-versions", is_flag=True,
              help="Also search superseded and killed versions of stories, marked as such.")
@click.option("--context", type=click.IntRange(0), default=0, metavar="K",
              help="Show the K paragraphs before and after each hit.")
@click.option("--facets", default=None, metavar="LIST",
              help="Counts over the matching stories: any of people,tags,place,date.")
@click.option("--feedback/--no-feedback", default=None,
              help="Expand a query of plain words with words of its best stories "
                   "(pseudo-relevance feedback; on by default).")
@click.option("--explain", is_flag=True,
              help="Also show the words feedback added to the query, with their weights.")
@click.option("--scheduler", envvar="INDEXER_SCHEDULER", default=None, metavar="ADDRESS",
              help="Answer on the workers of a Dask scheduler (tcp://HOST:PORT), which keep "
                   "the index open between queries (needs the cluster extra).")
def query(query: str, index_path: str | None, person: str | None, tag: str | None,
          place: str | None, since: str | None, until: str | None, limit: int, offset: int,
          count_all: bool, group: bool, sort: str,
          per_story: int | None, output: str, qid: str, color: str,
          all_versions: bool, context: int, facets: str | None, feedback: bool | None,
          explain: bool, scheduler: str | None) -> None:
    """Search the index; prints ranked paragraphs with their story's context.

    QUERY uses Whoosh's query language: words, "phrases", field:value, AND/OR/NOT, wild*.
    A plain multi-word query ranks paragraphs with more of the words higher."""
    from .errors import QueryError
    from .evaluation import trec_word

    if output == "trec" and trec_word(qid) != qid:  # a run file's line is six words
        fail(f"--qid must be one word of printable characters, not {printable(qid)!r}",
             EXIT_USAGE)
    index = open_index(index_path) if scheduler is None else \
        _cluster_queries(index_path, scheduler)
    click.get_current_context().call_on_close(index.close)  # a local cluster stops too
    try:
        started = time.monotonic()
        options = dict(sort=sort, per_story=per_story, all_versions=all_versions,
                       context=context, feedback=feedback, person=person, tag=tag,
                       place=place, since=since, until=until)
        groups: list[list[Hit]] | None = None
        if group:  # offset and limit count stories
            groups = index.search_stories(query, limit=limit, offset=offset, **options)
            hits = [hit for story in groups for hit in story]
        else:
            hits = index.search(query, limit=limit, offset=offset, **options)
        facet_names = tuple(n.strip() for n in facets.split(",") if n.strip()) if facets \
            else ()
        counts = index.facets(query, facet_names, person=person, tag=tag, place=place,
                              since=since, until=until) if facet_names else {}
        total = index.count(query, person=person, tag=tag, place=place, since=since,
                            until=until) if count_all else None
        expansion = index.feedback_words(query, person=person, tag=tag, place=place,
                                         since=since, until=until, feedback=feedback) \
            if explain else None
        seconds = time.monotonic() - started
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    # fewer hits than asked for, up to 3: --limit 1 with its one hit is not "few"
    suggestion = index.suggest(query) if len(hits) < min(3, limit) else None
    if not hits:
        if output == "json":
            say("{}" if facets else "[]")
        hint = f"; did you mean: {suggestion!r}?" if suggestion else ""
        active = [f"--{name} {value!r}" for name, value in (
            ("person", person), ("tag", tag), ("place", place), ("since", since),
            ("until", until)) if value]
        within = f" with {' '.join(active)}" if active else ""
        say(f"indexer: no paragraphs match {query!r}{within}{hint}", err=True)
        given = {"person": person, "tag": tag, "place": place}
        for name, closest in index.unmatched_filters(**given).items():
            like = f"; the closest it holds: {', '.join(closest)}" if closest else ""
            say(f"indexer: no story in the index has {name} {given[name]!r}{like}",
                       err=True)
        sys.exit(EXIT_NO_HITS)
    print_hits(output, hits, groups, offset, all_versions, context, qid, color,
               counts if facets else None, total, seconds, expansion)
    if suggestion:
        say(f"indexer: few matches; did you mean: {suggestion!r}?", err=True)


@main.command()
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; the default is this "
                   "machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes (default: one per core, at most 4).")
@click.option("--cors", metavar="ORIGIN", default=None,
              help="Let pages of this origin (https://host:port) call the API.")
@click.option("--timeout", "query_seconds", type=click.FloatRange(0.1, 600), default=10.0,
              show_default=True, help="Seconds a request may search before it is stopped.")
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@click.option("--scheduler", envvar="INDEXER_SCHEDULER", default=None, metavar="ADDRESS",
              help="Answer on the workers of a Dask scheduler (tcp://HOST:PORT, or local).")
def serve(index_path: str | None, host: str, port: int, workers: int | None,
          cors: str | None, query_seconds: float, access_log: bool,
          scheduler: str | None) -> None:
    """Serve the index read-only over HTTP: a search page at / and a JSON API under
    /api (search, stories, similar, stats, health). Follows the nightly ingest's commits
    without a restart."""
    from .errors import QueryError

    try:
        import starlette  # noqa: F401 - the serve extra, asked for before anything starts
        import uvicorn  # noqa: F401

        from .serve.run import run
    except ImportError as exc:  # starlette or uvicorn missing
        fail(f"indexer serve needs the serve extra ({exc.name} is not installed): "
             "pip install 'wire-indexer[serve]'", EXIT_USAGE)
    try:
        run(index_path, host, port, workers, cors, query_seconds, access_log, scheduler)
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)


@main.command("eval")
@INDEX_OPTION
@click.option("--topics", "topics_path", required=True, type=click.Path(exists=True,
                                                                        dir_okay=False),
              help="TREC topics (<top> blocks; titles are the queries) or qid<TAB>query lines.")
@click.option("--qrels", "qrels_path", required=True,
              type=click.Path(exists=True, dir_okay=False), help="TREC qrels.")
@click.option("--run", "run_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the story-level TREC run file here.")
@click.option("--depth", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--feedback/--no-feedback", default=None,
              help="Evaluate with or without pseudo-relevance feedback (default: with).")
def evaluate(index_path: str | None, topics_path: str, qrels_path: str,
             run_path: str | None, depth: int, feedback: bool | None) -> None:
    """Evaluate the index on a TREC collection: MAP, nDCG@10, P@10, R@1000.

    Stories are ranked by their best paragraph. Needs the test extras (ir-measures)."""
    from pathlib import Path

    from .errors import QueryError
    from .evaluation import MEASURES, measure, read_qrels, read_topics, story_run, write_run

    index = open_index(index_path)
    topics = read_topics(Path(topics_path))
    if not topics:
        fail(f"no topics in {topics_path}", EXIT_USAGE)
    try:
        run = story_run(index, topics, depth=depth, feedback=feedback)
        scores = measure(read_qrels(Path(qrels_path)), run)
    except (QueryError, RuntimeError) as exc:
        fail(str(exc), EXIT_USAGE)
    if run_path:
        write_run(run, Path(run_path))
    say(f"{len(topics)} topics")
    for name in MEASURES:
        say(f"{name:<8} {scores[name]:.4f}")


@main.command()
@click.argument("target", metavar="STORY_ID[#PARAGRAPH]")
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--format", "output", type=click.Choice(["text", "json", "jsonl"]),
              default="text", show_default=True)
def similar(target: str, index_path: str | None, limit: int, output: str) -> None:
    """Stories like a story, or like one paragraph of it (more-like-this)."""
    from .errors import NoSuchStoryError, QueryError

    index = open_index(index_path)
    story_id, _, number = target.partition("#")
    if number and not number.isdecimal():
        fail(f"bad paragraph number in {target!r}", EXIT_USAGE)
    try:
        hits = index.similar(story_id, int(number) if number else None, limit=limit)
    except NoSuchStoryError as exc:
        fail(str(exc), EXIT_NO_HITS)
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    if not hits:
        say(f"indexer: no stories like {target!r}", err=True)
        sys.exit(EXIT_NO_HITS)
    if output == "text":
        say(format_text(hits, False))
    else:
        dicts = [hit.to_dict() for hit in hits]
        text = to_json(dicts, indent=2) if output == "json" else \
            "\n".join(to_json(d) for d in dicts)
        say(text)


class _DefaultToExtract(click.Group):
    """`indexer people FILE` extracts; `indexer people train FILE` trains."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["extract", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_DefaultToExtract)
def people() -> None:
    """People named in text: `people [FILE|-]` lists them, `people train` builds a model."""


@people.command("extract")
@click.argument("source", required=False, default="-",
                type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--json", "as_json", is_flag=True,
              help="Each name with its mentions as character offsets, as JSON.")
@click.option("--model", "model_path", envvar="INDEXER_PEOPLE_MODEL", default=None,
              type=click.Path(dir_okay=False), help="Use a model from `people train`.")
def people_extract(source: IO[str], as_json: bool, model_path: str | None) -> None:
    """Print the people a text names, canonical, one per line (FILE, or - for stdin)."""
    from .enrich.people import people_from_mentions
    from .ingest.process import MAX_FILE_BYTES

    finder = _people_finder(model_path)
    text = source.read(MAX_FILE_BYTES + 1)  # the limit ingest sets a wire file
    if len(text) > MAX_FILE_BYTES:
        fail(f"{printable(source.name)}: input too large (limit {MAX_FILE_BYTES} "
             "characters, as for a wire file)", EXIT_USAGE)
    mentions = finder.mentions(text)
    names = people_from_mentions(mentions)
    if as_json:
        data = [{"name": name,
                 "mentions": [[m.start, m.end] for m in mentions if m.name == name]}
                for name in names]
        say(to_json(data, indent=2))
    else:
        for name in names:
            say(name)


@people.command("train")
@click.argument("conll", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the model (gzipped JSON).")
@click.option("--epochs", type=click.IntRange(1, 50), default=6, show_default=True)
def people_train(conll: str, model_path: str, epochs: int) -> None:
    """Train a person tagger on CoNLL-2003-style data (token ... NE-tag columns, PER labels).

    The model learns from your data and stays yours: ingest and `people` use it with
    --people-model / --model or $INDEXER_PEOPLE_MODEL."""
    from pathlib import Path

    from .enrich import people_model

    try:
        sentences = people_model.read_conll(Path(conll))
    except (ValueError, UnicodeDecodeError) as exc:
        fail(f"{conll} is not CoNLL data (token ... NE-tag columns): {exc}", EXIT_USAGE)
    if not sentences:
        fail(f"no sentences in {conll}", EXIT_USAGE)
    if not any(tag != "O" for _, tags in sentences for tag in tags):
        fail(f"no PER labels in {conll}: nothing to learn people from", EXIT_USAGE)
    started = time.monotonic()
    model = people_model.train(sentences, epochs=epochs)
    people_model.save(model, Path(model_path))
    say(f"trained on {len(sentences)} sentences in {time.monotonic() - started:.1f}s "
               f"-> {model_path} ({len(model.weights)} features)", err=True)


def _people_finder(path: str | None) -> PeopleFinder:
    from .enrich.people import PeopleFinder

    try:
        return PeopleFinder.load(path or None)
    except (OSError, ValueError) as exc:
        fail(f"cannot load people model {path}: {exc}", EXIT_USAGE)
        raise  # fail() exits


@main.command()
@INDEX_OPTION
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Merge in this many processes side by side: the segments in as many "
                   "groups of about equal size, one segment left per group (default 1: "
                   "one segment). An archive: this many shards at a time, each into one "
                   "segment (default 2).")
def optimize(index_path: str | None, workers: int | None) -> None:
    """Merge the index into one segment: faster queries, deleted documents dropped.

    Copies the whole index, so run it after a bulk load or weekly, not nightly (ingest
    merges by size tier as it goes). Shows its progress on a terminal. Waits for nothing:
    exits 4 when an ingest is running."""
    from .errors import IndexLockedError, MergeError

    index = open_index(index_path)
    with ExitStack() as stack:
        on_progress = None
        if sys.stderr.isatty():
            bar = stack.enter_context(click.progressbar(
                length=100, label="merging postings", file=sys.stderr, show_percent=True))
            on_progress = lambda share: bar.update(round(share * 100) - bar.pos)  # noqa: E731
        try:
            result = (index.optimize(on_progress=on_progress) if workers is None
                      else index.optimize(on_progress=on_progress, workers=workers))
        except IndexLockedError as exc:
            fail(str(exc), EXIT_LOCKED)
        except MergeError as exc:
            fail(f"optimize: {exc}", EXIT_INDEX)
    say(f"{result['segments_before']} segments -> {result['segments_after']} "
               f"in {result['seconds']:.1f}s")


@main.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(index_path: str | None, as_json: bool) -> None:
    """Stories, paragraphs, people, tags, date range, size and the last ingest run."""
    figures = open_index(index_path).stats()
    if as_json:
        say(to_json(figures, indent=2, default=str))
        return
    say(format_stats(figures))
    _echo_still_rejected(figures["still_rejected"])


def _echo_still_rejected(rejected: list[dict]) -> None:
    if rejected:
        say(f"rejected    {len(rejected)} files, unchanged since (not read again "
                   "until they change):")
    for known in rejected:
        say(f"  {printable(known['source'])}: {printable(known['reason'])} "
                   f"(since {known.get('since', '?')})")


@main.command()
@INDEX_OPTION
def check(index_path: str | None) -> None:
    """Verify the index against its record of ingested files; say how to repair."""
    index = open_index(index_path)
    problems = index.check()
    _echo_still_rejected(index.rejected_files())
    for story_id, version, files in index.copies():
        say(f"note: {story_id} version {version} is in {len(files)} files, shown from the "
            f"first: {', '.join(printable(f) for f in files)}")
    if not problems:
        say(f"ok: {index.paragraph_count()} paragraphs agree with the file records")
        segments = index.segment_count()
        if segments > SEGMENTS_WORTH_OPTIMIZING:
            say(f"note: {segments} segments; `indexer optimize` would speed up queries")
        return
    for problem in problems:
        say(problem)
    say(f"{len(problems)} problems. Repair: `indexer ingest --prune PATHS` re-reads "
               "changed files and drops gone ones; if problems remain, rebuild into a fresh "
               "--index folder.", err=True)
    sys.exit(EXIT_INDEX)


@main.command()
@click.argument("story_id")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the story as JSON.")
def story(story_id: str, index_path: str | None, as_json: bool) -> None:
    """Print one indexed story in full."""
    index = open_index(index_path)
    found = index.story(story_id)
    if found is None:
        fail(f"no story {story_id!r} in the index", EXIT_NO_HITS)
    assert found is not None
    if as_json:
        say(to_json(found.to_dict(), indent=2))
        return
    if found.status == "canceled":
        say(f"[KILLED: version {found.version} withdraws this story]")
    elif found.superseded:
        say(f"[SUPERSEDED: version {found.version}; a newer version or a kill replaces it]")
    say(found.headline)
    if found.byline:
        say(f"By {found.byline}")
    if found.date:
        say(found.date.isoformat(sep=" ", timespec="minutes") + " UTC")
    say()
    say(f"{found.dateline.raw} {found.paragraphs[0]}".strip())
    for paragraph in found.paragraphs[1:]:
        say()
        say(paragraph)
    say()
    say(f"people: {', '.join(found.people)}")
    say(f"filed under: {', '.join(found.tags)}")
