"""A digest of what an index holds, for differential checks of a move that must change
nothing: two checkouts ingest the same files, and their digests must be equal.

    python tools/index_digest.py INDEX [--verbose]

Reads the index with stock Whoosh: every stored record (sorted by id, with the values
that depend on when or where it was written left out: a file record's mtime, the
meta record's creation) and every term of every field with its postings (the ids of
the documents holding it, with weights). Prints one SHA-256 and, with --verbose, the
counts behind it.
"""

from __future__ import annotations

import argparse
import hashlib
import json

from whoosh import index as whoosh_index

# values that differ between two runs over the same files, whatever the code
VOLATILE = {"mtime"}


def digest(path: str) -> tuple[str, dict]:
    ix = whoosh_index.open_dir(path)
    sha = hashlib.sha256()
    counts = {"records": 0, "terms": 0, "postings": 0}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {}
        records = []
        for docnum, fields in reader.iter_docs():
            kept = {k: v for k, v in fields.items() if k not in VOLATILE}
            ids[docnum] = str(fields.get("id", docnum))
            records.append(json.dumps(kept, sort_keys=True, default=str))
        for record in sorted(records):
            sha.update(record.encode())
            counts["records"] += 1
        for fieldname in sorted(reader.indexed_field_names()):
            for text in reader.lexicon(fieldname):
                postings = reader.postings(fieldname, text)
                found = []
                while postings.is_active():
                    found.append((ids[postings.id()], round(postings.weight(), 6)))
                    postings.next()
                sha.update(fieldname.encode() + b"\0" + text + b"\0")
                sha.update(json.dumps(sorted(found)).encode())
                counts["terms"] += 1
                counts["postings"] += len(found)
    return sha.hexdigest(), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    value, counts = digest(args.index)
    print(value)
    if args.verbose:
        print(counts)


if __name__ == "__main__":
    main()
