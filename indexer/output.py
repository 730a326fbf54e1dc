"""How the command line prints: hits as text (highlighted, grouped by story), facets, and
JSON, with every piece of wire text made safe for a terminal first (textio.terminal_safe):
what came from a file is data, never a control sequence.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import TYPE_CHECKING

import click

from .textio import printable, terminal_safe

if TYPE_CHECKING:
    from .store.results import Hit


def say(message: str = "", err: bool = False, color: bool | None = None) -> None:
    """click.echo for every line this tool prints: what came from a file is data, so its
    control characters are escaped (textio.terminal_safe). A block printed in color was
    made safe piece by piece before it was styled (format_text)."""
    click.echo(message if color else terminal_safe(message), err=err, color=color)


def to_json(data, **options) -> str:
    """JSON as the output prints it: UTF-8, with DEL and the C1 controls escaped as the
    C0 ones are (\\u009b: a terminal acts on the raw character)."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def styled(hit: Hit, color: bool) -> str:
    safe = terminal_safe
    if not color or not hit.highlights:
        return safe(hit.text)
    out, last = [], 0
    for start, end in hit.highlights:
        out += [safe(hit.text[last:start]), click.style(safe(hit.text[start:end]), bold=True)]
        last = end
    return "".join(out + [safe(hit.text[last:])])


def format_text(hits: list[Hit], color: bool) -> str:
    blocks = []
    for hit in hits:
        when = hit.date.date().isoformat() if hit.date else ""
        marker = f"  [superseded v{hit.version}]" if hit.superseded else ""
        safe = terminal_safe  # content is data: escaped before it is styled
        head = safe(f"{hit.rank:>3}. {hit.score:6.2f}  {printable(hit.story_id)}  "
                    f"¶{hit.paragraph}/{hit.paragraphs}  {hit.dateline.raw}  "
                    f"{when}{marker}").rstrip()
        lines = [click.style(head, fg="cyan") if color else head]
        if hit.headline:
            lines.append(f"     {safe(hit.headline)}")
        for around in hit.before:
            lines.append(f"   ¶{around.paragraph} {safe(around.text)}")
        marker = ">" if hit.before or hit.after else " "
        lines.append(f"   {marker} {styled(hit, color)}")
        for around in hit.after:
            lines.append(f"   ¶{around.paragraph} {safe(around.text)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def format_groups(groups: list[list[Hit]], offset: int, color: bool) -> str:
    """Each story once: its rank, best score, id, dateline and date, its headline, then
    its best paragraphs, each with its number."""
    blocks = []
    for number, story in enumerate(groups, start=offset + 1):
        best = story[0]
        when = best.date.date().isoformat() if best.date else ""
        head = terminal_safe(f"{number:>3}. {best.score:6.2f}  {printable(best.story_id)}  "
                             f"{best.dateline.raw}  {when}").rstrip()
        lines = [click.style(head, fg="cyan") if color else head]
        if best.headline:
            lines.append(f"     {terminal_safe(best.headline)}")
        for hit in story:
            lines.append(f"   ¶{hit.paragraph} {styled(hit, color)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def counted(count: int, noun: str) -> str:
    """"1 paragraph", "2 paragraphs", "1 story", "3 stories"."""
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun if count == 1 else plural}"


def facets_json(counts: dict[str, list[tuple[str, int]]]) -> dict:
    return {name: [{"value": value, "count": n} for value, n in pairs]
            for name, pairs in counts.items()}


def feedback_json(expansion: list[tuple[str, float]]) -> list[dict]:
    """The words feedback added and their weights, as JSON shows them (`feedback`)."""
    return [{"word": word, "weight": round(weight, 6)} for word, weight in expansion]


def format_facets(counts: dict[str, list[tuple[str, int]]]) -> str:
    lines = []
    for name, pairs in counts.items():
        shown = ", ".join(f"{value} ({n})" for value, n in pairs) or "-"
        lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def print_hits(output: str, hits: list[Hit], groups: list[list[Hit]] | None, offset: int,
               all_versions: bool, context: int, qid: str, color: str,
               counts: dict[str, list[tuple[str, int]]] | None,
               total: tuple[int, int] | None, seconds: float,
               expansion: list[tuple[str, float]] | None = None) -> None:
    """A query's answer in the chosen output format (`indexer query --format`): its hits,
    or its stories with their hits (`groups`), and beside them the facet `counts`, the
    `total` matches and the words feedback added (`expansion`) when asked for."""
    from .evaluation import strictly_decreasing, trec_word
    from .store.results import group_json

    facets = counts is not None
    counts = counts or {}
    if groups is not None:  # one object per story, with its hits
        dicts = [group_json(story, offset + number, all_versions, context > 0)
                 for number, story in enumerate(groups, start=1)]
    else:
        dicts = [hit.to_dict(all_versions, with_context=context > 0) for hit in hits]
    extra: dict = {}  # what goes beside the hits: facets, totals
    if facets:
        extra["facets"] = facets_json(counts)
    if total is not None:
        extra["total"] = {"paragraphs": total[0], "stories": total[1]}
        extra["seconds"] = round(seconds, 3)
    if expansion is not None:
        extra["feedback"] = feedback_json(expansion)
    if output == "json":
        payload = {"hits": dicts, **extra} if extra else dicts
        say(to_json(payload, indent=2))
    elif output == "jsonl":
        for data in dicts:
            say(to_json(data))
        if extra:  # a last line, keyed so it cannot be taken for a hit
            say(to_json(extra))
    elif output == "trec":
        # scores strictly decreasing down the ranks, as the tools that read a run need
        scores = strictly_decreasing([hit.score for hit in hits])
        for hit, score in zip(hits, scores, strict=True):
            say(f"{qid} Q0 {trec_word(hit.story_id)}#{hit.paragraph} {hit.rank} "
                f"{score:.6f} indexer")
        for option, given in (("--facets", facets), ("--explain", expansion is not None)):
            if given:  # a run file has no room for them: say so rather than drop them
                say(f"indexer: {option} is not shown with --format trec "
                    "(use text, json or jsonl)", err=True)
    else:
        use_color = color == "always" or (color == "auto" and sys.stdout.isatty()
                                          and "NO_COLOR" not in os.environ)
        if groups is not None:
            say(format_groups(groups, offset, use_color), color=use_color)
        else:
            say(format_text(hits, use_color), color=use_color)
        if facets:
            say()
            say(format_facets(counts))
        if expansion is not None:
            say()
            say(format_expansion(expansion))
        shown = len(groups) if groups is not None else len(hits)
        what = ("story" if shown == 1 else "stories") if groups is not None else \
            ("paragraph" if shown == 1 else "paragraphs")
        matched = (f"{counted(total[0], 'paragraph')} in {counted(total[1], 'story')} "
                   f"match{'es' if total[0] == 1 else ''}; " if total is not None else "")
        say(f"\n{matched}{shown} {what} shown in {seconds:.2f} s")


def format_expansion(expansion: list[tuple[str, float]]) -> str:
    """The words feedback added (stemmed, as the index holds them), each with its weight
    in the expanded query."""
    if not expansion:
        return "feedback: no words added (off, or the query names exactly what it wants)"
    words = ", ".join(f"{word} {weight:.3f}" for word, weight in expansion)
    return f"feedback added (weight in the expanded query): {words}"


def format_stats(figures: dict) -> str:
    """`indexer stats` as text: the counts, the size, the shards and the last run."""
    lines: list[str] = []
    run = figures["last_run"] or {}
    lines.append(f"stories     {figures['stories']}")
    lines.append(f"paragraphs  {figures['paragraphs']}")
    lines.append(f"files       {figures['files']}")
    lines.append(f"people      {figures['people']}")
    lines.append(f"tags        {figures['tags']}")
    lines.append(f"dates       {figures['first_date'] or '-'} .. {figures['last_date'] or '-'}")
    lines.append(f"size        {figures['size_bytes'] / 1e6:.1f} MB in {figures['segments']} "
                 "segments")
    if "shards" in figures:
        names = list(figures["shards"])
        lines.append(f"shards      {len(names)} by {figures['shard_by']}"
                     + (f": {names[0]} .. {names[-1]}" if names else ""))
    if run.get("outcome") == "running":
        lines.append(f"last run    started {run.get('started')}: still running, or killed")
    elif run.get("outcome") == "unknown":
        lines.append(f"last run    unknown: {printable(str(run.get('reason')))}")
    elif run:
        lines.append(f"last run    {run.get('finished', '?')} {run['outcome']}: "
                     f"{run.get('added', '?')} added, {run.get('updated', '?')} updated, "
                     f"{run.get('rejected', '?')} rejected, {run.get('paragraphs', '?')} "
                     f"paragraphs in {run.get('seconds', '?')}s")
    else:
        lines.append("last run    none recorded")
    return "\n".join(lines)
