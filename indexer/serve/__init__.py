"""`indexer serve`: a read-only HTTP server over an index, a JSON API and a search page.

The API mirrors `indexer query` (one parameter for each of its options) and answers in
its JSON; app.py builds the Starlette application, static/ holds the page."""
