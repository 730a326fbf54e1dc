"""Ingest speed: our pipeline with 1 and 2 workers against a lean naive Whoosh script.

    python bench/bench_ingest.py FOLDER [--workers 1 2] [--skip-baseline] [--keep DIR]
        [--no-merge-too] [--whoosh-merge-too] [--stages] [--against REV]
    python bench/bench_ingest.py ../shared/data/reuters21578     # real files as they arrive

FOLDER is any folder of wire files: real ones as they arrive (Reuters SGML, TREC SGML, AP
text) or a corpus from bench/make_corpus.py. Each run ingests it into a fresh index in a
child process and prints stories/s, paragraphs/s, MB/s, the peak RSS and the index size,
with the segments it leaves and what its merges copied (--no-merge-too: the same without
merging, in the same run; --whoosh-merge-too: with Whoosh's own default merge policy at
each commit instead of ours, as ingest merged before tiered merging; --against REV: the
indexer of an earlier commit, from a git worktree, run right after each of ours, and with
--no-merge-too its run without merging too: how much a run merges turns on where its
batches end, so those two compare the same work).
The peak RSS is sampled from /proc every 0.1 s over the child and all its worker
processes together (their sum at each moment, the highest sum seen); the peak PSS beside
it counts the pages the forked workers share with the run once (sampled every second).
CPU is the child's and its workers' user and system time together, per paragraph, and
over the wall time (cores busy: how well the workers are kept at work): on a machine whose
speed swings, the work a run did, beside how long it waited.

The baseline, in the same run: the script a user writes first ("lean"): regular
expressions split records and paragraphs, one ix.writer(), one add_document per paragraph
with only id, story_id, body (StemmingAnalyzer, stored), headline and dateline (stored),
one commit; timed end to end. --schema-baseline adds the old one: our whole schema, text
parsed beforehand, writing alone timed (it flatters us: it is slower than a user's).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_CODE: the folder whose indexer/ a child runs (--against: a worktree of a commit)
sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


STAGES = [  # (stage, path fragments of the code whose own time counts for it), first match
    ("read and hash", ("indexer/ingest.py:read_limited", "_hashlib",
                       "{built-in method posix.read")),
    ("decode", ("indexer/textio.py",)),
    ("format parsing", ("indexer/formats/", "xml", "json")),
    ("dateline", ("indexer/dateline.py", "indexer/dates.py")),
    ("people", ("indexer/people/", "indexer/lexicons.py")),
    ("records", ("indexer/documents.py", "indexer/schema.py")),
    ("analysis and postings", ("indexer/whoosh_ext.py", "whoosh/analysis", "whoosh/writing",
                               "whoosh/codec", "whoosh/util", "whoosh/fields")),
    ("segment files and commit", ("whoosh/filedb", "indexer/storage.py", "zlib", "posix.fsync",
                                  "whoosh/index", "whoosh/reading")),
    ("run bookkeeping", ("indexer/ingest.py", "indexer/index.py")),
]


def profile(corpus: str, index: str) -> None:
    """One worker under cProfile: each stage's own CPU seconds (functions grouped by the
    module they belong to; what fits no stage is 'other', mostly the interpreter)."""
    import cProfile
    import pstats

    from indexer import Index

    profiler = cProfile.Profile()
    profiler.enable()
    Index.create(index).ingest([corpus])
    profiler.disable()
    def stage_of(key: tuple) -> str:
        filename, _line, name = key
        where = f"{filename}:{name}" if filename != "~" else name
        return next((stage for stage, parts in STAGES if any(p in where for p in parts)),
                    "other")

    totals: dict[str, float] = {}
    for key, row in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        stage = stage_of(key)
        if stage == "other" and key[0] == "~":
            # a built-in (str.split, a regex): its time goes to the stages that called it
            for caller, (_cc, _nc, seconds, _ct) in row[4].items():
                totals[stage_of(caller)] = totals.get(stage_of(caller), 0.0) + seconds
            continue
        totals[stage] = totals.get(stage, 0.0) + row[2]
    grand = sum(totals.values())
    print(json.dumps({"stages": totals, "total": grand}))


def child(mode: str, corpus: str, index: str, workers: int) -> None:
    """Runs in a separate process so that its peak RSS is its own."""
    from indexer import Index

    if mode == "profile":
        profile(corpus, index)
        return
    started = time.monotonic()
    segments = None
    merged: dict = {}
    if mode in ("ours", "ours-nomerge", "ours-whoosh"):
        from indexer.ingest.run import WHOOSH_MERGE

        merge = {"ours": True, "ours-nomerge": False, "ours-whoosh": WHOOSH_MERGE}[mode]
        report = Index.create(index).ingest([corpus], workers=workers, merge=merge)
        stories, paragraphs = report.stories, report.paragraphs
        segments = Index.open(index).segment_count()  # as ingest leaves it
        merged = {"merges": report.merges, "merged_documents": report.merged_documents,
                  "merged_mb": report.merged_bytes / 1e6,
                  # an earlier commit's report (--against) may not count them
                  "pool_spills": getattr(report, "pool_spills", None)}
    elif mode == "lean":
        stories, paragraphs = lean(corpus, index)
    else:
        stories, paragraphs = naive(corpus, index)
    seconds = time.monotonic() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # workers and merging processes are joined before ingest returns: counted as children
    cpu = sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
    print(json.dumps({"stories": stories, "paragraphs": paragraphs, "seconds": seconds,
                      "cpu_seconds": cpu, "own_peak_rss_mb": own, "segments": segments,
                      **merged}))


_RECORD_RE = re.compile(r"<REUTERS\b.*?</REUTERS>|<DOC>.*?</DOC>", re.S)
_FIELD_RES = {name: re.compile(rf"<{tag}>(.*?)</{tag}>", re.S) for name, tag in (
    ("title", "TITLE"), ("body", "BODY"), ("dateline", "DATELINE"), ("docno", "DOCNO"),
    ("head", "HEAD"), ("text", "TEXT"))}
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_INDENTED_RE = re.compile(r"\n\s*\n|\n(?=[ \t]+)")
_AP_DATELINE_RE = re.compile(r"^([A-Z][A-Za-z .,'-]+\((?:AP|Reuters|AFP|dpa)\)\s*[-—]+)\s*")


def lean_stories(path: Path):
    """(id, headline, dateline, paragraphs) of a file, by regular expressions, as a user's
    first script reads Reuters SGML, TREC SGML and AP-style text."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8", "replace")
    records = _RECORD_RE.findall(text)
    if records:
        for number, record in enumerate(records):
            field = {name: (m.group(1) if (m := regex.search(record)) else "")
                     for name, regex in _FIELD_RES.items()}
            newid = _NEWID_RE.search(record)
            key = field["docno"].strip() or (newid.group(1) if newid else f"{path}#{number}")
            body = field["body"] or field["text"]
            paragraphs = [" ".join(p.split()) for p in _INDENTED_RE.split(body) if p.strip()]
            if paragraphs:
                yield key, (field["title"] or field["head"]).strip(), \
                    field["dateline"].strip(), paragraphs
        return
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]
    for at, block in enumerate(blocks[:4]):
        match = _AP_DATELINE_RE.match(block)
        if match:
            paragraphs = [block[match.end():], *blocks[at + 1:]]
            yield str(path), " ".join(blocks[:1]), match.group(1), paragraphs
            return


def lean(corpus: str, index: str) -> tuple[int, int]:
    """What a user writes first: files split by regular expressions, one ix.writer(), one
    add_document per paragraph holding only the text fields, one commit; stock Whoosh,
    timed end to end (reading and splitting included)."""
    from whoosh import fields
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           story_id=fields.ID(stored=True),
                           body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           headline=fields.TEXT(stored=True),
                           dateline=fields.TEXT(stored=True))
    os.makedirs(index, exist_ok=True)
    ix = whoosh_index.create_in(index, schema)
    writer = ix.writer()
    stories = paragraphs = 0
    for path in sorted(p for p in Path(corpus).rglob("*") if p.is_file()):
        for key, headline, dateline, texts in lean_stories(path):
            stories += 1
            for number, body in enumerate(texts, start=1):
                writer.add_document(id=f"{key}#{number}", story_id=key, body=body,
                                    headline=headline, dateline=dateline)
                paragraphs += 1
    writer.commit()
    return stories, paragraphs


def naive(corpus: str, index: str) -> tuple[int, int]:
    """One writer, one add_document per paragraph, default settings."""
    from whoosh import index as whoosh_index

    from indexer.formats import parse_file
    from indexer.ingest.walk import walk
    from indexer.store import whoosh_ext
    from indexer.store.documents import paragraph_documents
    from indexer.store.schema import build_schema

    parsed = []  # parsing happens before the clock that matters: writing alone is measured
    for path, _root in walk([corpus]):
        for story in parse_file(path.read_bytes(), path.stem, str(path)).stories:
            parsed.append(story)
    os.makedirs(index, exist_ok=True)
    with whoosh_ext.stock_whoosh():  # the baseline is stock Whoosh throughout
        ix = whoosh_index.create_in(index, build_schema())
        writer = ix.writer()
        started = time.monotonic()
        paragraphs = 0
        for story in parsed:
            for document in paragraph_documents(story):
                writer.add_document(**document)
                paragraphs += 1
        writer.commit()
    print(json.dumps({"write_only_seconds": time.monotonic() - started}), file=sys.stderr)
    return len(parsed), paragraphs


def _tree_stats(root: int) -> dict[int, list[str]]:
    """The /proc/PID/stat fields (after the name) of a process and all its descendants."""
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stats[int(entry)] = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
    tree: dict[int, list[str]] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            tree[pid] = stats[pid]
        stack.extend(child for child, fields in stats.items() if int(fields[1]) == pid)
    return tree


def tree_pss_mb(root: int) -> float:
    """Proportional memory of a process and its descendants: each page shared between
    them (the forked workers share the run's lexicons and index) counted once, where the
    sum of their resident sizes counts it in each."""
    total = 0
    for pid in _tree_stats(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total * 1024 / 1e6


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    return sum(int(fields[21]) * page for fields in _tree_stats(root).values()) / 1e6


def watched(command: list[str], what: str, pss: dict[str, float] | None = None,
            env: dict[str, str] | None = None) -> tuple[str, str, float]:
    """Run a command to its end: its stdout, its stderr, and the highest resident memory
    of it and its descendants together (sampled every 0.1 s). With `pss`, its "peak" is
    set to the highest proportional memory of the tree (sampled every second: reading it
    costs the kernel a walk of each process's pages). Exits if it failed."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    peak = 0.0
    samples = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        if pss is not None and samples % 10 == 0:
            pss["peak"] = max(pss.get("peak", 0.0), tree_pss_mb(process.pid))
        samples += 1
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    if process.returncode:
        raise SystemExit(f"{what} failed:\n{stderr}")
    return stdout, stderr, peak


def run(mode: str, corpus: Path, workers: int, scratch: Path, code: Path | None = None
        ) -> dict:
    """One ingest in a child process; `code`: a folder holding another indexer/ to run."""
    index = scratch / f"{mode}-{workers}{'-' + code.name if code else ''}"
    pss: dict[str, float] = {}
    env = None if code is None else {**os.environ, "BENCH_CODE": str(code)}
    stdout, stderr, peak = watched([sys.executable, __file__, "--child", mode, str(corpus),
                                    str(index), str(workers)], f"{mode}-{workers}", pss, env)
    data = json.loads(stdout.strip().splitlines()[-1])
    data["peak_rss_mb"] = max(peak, data["own_peak_rss_mb"])
    data["peak_pss_mb"] = pss.get("peak", 0.0)
    if stderr.strip():
        data.update(json.loads(stderr.strip().splitlines()[-1]))
    data["index_mb"] = folder_size(index) / 1e6
    return data


def worktree(rev: str, scratch: Path) -> Path:
    """A checkout of commit `rev` of this repository (removed with the scratch folder)."""
    folder = scratch / f"code-{rev}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f",
                    str(folder), rev], check=True, capture_output=True)
    return folder


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--schema-baseline", action="store_true",
                        help="also the old baseline: our whole schema, writing only")
    parser.add_argument("--keep", type=Path, help="keep the last index built by ours here")
    parser.add_argument("--no-merge-too", action="store_true",
                        help="also ingest with --no-merge (segments as written), same run")
    parser.add_argument("--whoosh-merge-too", action="store_true",
                        help="also ingest merging by Whoosh's default policy, same run")
    parser.add_argument("--stages", action="store_true",
                        help="also a per-stage CPU breakdown of a 1-worker run (cProfile)")
    parser.add_argument("--against", metavar="REV", default=None,
                        help="also the indexer of this commit (a git worktree), each of "
                             "ours alternating with it in the same run")
    args = parser.parse_args()
    megabytes = folder_size(args.corpus) / 1e6
    print(f"corpus: {args.corpus} ({megabytes:.1f} MB)")
    with tempfile.TemporaryDirectory(dir=args.corpus.parent) as scratch:
        results = {}
        if not args.skip_baseline:
            results["lean"] = run("lean", args.corpus, 1, Path(scratch))
            if args.schema_baseline:
                results["naive"] = run("naive", args.corpus, 1, Path(scratch))
        previous = worktree(args.against, Path(scratch)) if args.against else None
        for workers in args.workers:
            results[f"ours-{workers}"] = run("ours", args.corpus, workers, Path(scratch))
            if previous is not None:
                results[f"ours-{workers}@{args.against}"] = run(
                    "ours", args.corpus, workers, Path(scratch), previous)
            if args.no_merge_too:
                results[f"ours-{workers}-nomerge"] = run("ours-nomerge", args.corpus,
                                                         workers, Path(scratch))
                if previous is not None:  # the same work on both sides: no merge decides
                    results[f"ours-{workers}-nomerge@{args.against}"] = run(
                        "ours-nomerge", args.corpus, workers, Path(scratch), previous)
            if args.whoosh_merge_too:
                results[f"ours-{workers}-whoosh"] = run("ours-whoosh", args.corpus,
                                                        workers, Path(scratch))
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.move(str(Path(scratch) / f"ours-{args.workers[-1]}"), str(args.keep))
    if args.against:  # the worktree's folder went with the scratch folder
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
    for label, r in results.items():
        seconds = r.get("write_only_seconds", r["seconds"])
        note = {"naive": " (writing only, text parsed beforehand)",
                "lean": " (end to end)"}.get(label, "")
        print(f"  {label:<14} {r['stories'] / seconds:8.0f} stories/s "
              f"{r['paragraphs'] / seconds:8.0f} paragraphs/s {megabytes / seconds:6.2f} MB/s "
              f"peak RSS {r['peak_rss_mb']:6.0f} MB (PSS {r['peak_pss_mb']:4.0f})  "
              f"CPU {r['cpu_seconds']:6.1f} s ({r['cpu_seconds'] * 1000 / r['paragraphs']:.2f} "
              f"ms a paragraph, {r['cpu_seconds'] / r['seconds']:.2f} cores busy)  "
              f"index {r['index_mb']:7.1f} MB"
              + (f" in {r['segments']} segments" if r.get("segments") else "")
              + (f" ({r['merges']} merges: {r['merged_documents']} documents, "
                 f"{r['merged_mb']:.0f} MB)" if r.get("merges") else "")
              + (f", {r['pool_spills']} posting pool spills" if r.get("pool_spills") else "")
              + note)
    if args.stages:
        with tempfile.TemporaryDirectory(dir=args.corpus.parent) as scratch:
            out = subprocess.run([sys.executable, __file__, "--child", "profile",
                                  str(args.corpus), str(Path(scratch) / "p"), "1"],
                                 capture_output=True, text=True, check=True).stdout
        found = json.loads(out.strip().splitlines()[-1])
        print("  CPU by stage, 1 worker under cProfile (profiling slows it; shares matter):")
        for stage, seconds in sorted(found["stages"].items(), key=lambda kv: -kv[1]):
            print(f"    {stage:<26} {seconds:7.1f} s  {seconds / found['total']:5.1%}")
    if "lean" in results:
        lean_seconds = results["lean"]["seconds"]
        for label, r in results.items():
            if label.startswith("ours"):
                lean_rate = results["lean"]["paragraphs"] / lean_seconds
                print(f"  {label} / lean: {lean_seconds / r['seconds']:.2f}x by wall time, "
                      f"{r['paragraphs'] / r['seconds'] / lean_rate:.2f}x by paragraphs/s")
    if "naive" in results:
        base = results["naive"]["paragraphs"] / results["naive"]["write_only_seconds"]
        for label, r in results.items():
            if label.startswith("ours"):
                print(f"  {label} / naive: {r['paragraphs'] / r['seconds'] / base:.2f}x")


if __name__ == "__main__":
    main()
