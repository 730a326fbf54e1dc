"""The store: what an index holds and how it is written and read back. The schema and its
field names (schema.py), a story as records and back (documents.py), which version of a
story is current (versions.py), hits read from records (results.py), durable commits and
merges (storage.py), what in an index folder is ours (folder.py) and its checksums
(checksums.py), and every use of Whoosh's internals (whoosh_ext/).
"""
