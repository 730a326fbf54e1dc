"""Ingest: which files (walk.py), what was ingested (ledger.py), one file read -> parsed
-> enriched -> documents (process.py), the run in verified batches (run.py), and
parallel workers (workers.py).
"""
