"""The search side: the query language (query.py), filters, BM25F and its term-at-a-time
scorer, the ranking (story pass, feedback, paragraph pass), and what helps around a
result list (assist.py).
"""
