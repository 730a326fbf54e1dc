"""The HTTP application: the JSON API over Index, the search page, safe defaults.

Starlette (ASGI, small, typed, well kept) with uvicorn, a production ASGI server. The
endpoints are plain functions: Starlette runs them on its thread pool, so many requests
search at once (Whoosh's searchers are read-only; each thread keeps its own position in
the segment files). The index is opened on the first request that needs it and follows
every commit an ingest makes (Index re-reads the newest commit when one lands).

Safe by default: read-only (GET only), bounded parameters and a time budget per query,
every error a JSON object with its status and one line (never a traceback), story ids
looked up in the index and never used as paths, and a content security policy that lets
the page load nothing but its own files.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..errors import (
    ClusterError,
    IndexNotFoundError,
    NoSuchStoryError,
    QueryError,
    QueryTooSlowError,
    SchemaVersionError,
)
from ..index import Index, default_index_path
from ..output import facets_json, feedback_json
from ..store.results import Hit, group_json

log = logging.getLogger("indexer.serve")

THREADS = 2  # requests a server process works on at once
MAX_LIMIT = 100  # hits (or stories) in one response
MAX_OFFSET = 10_000  # as deep as paging goes
MAX_CONTEXT = 5  # paragraphs before and after a hit
MAX_QUERY_CHARS = 1_000  # a search box's worth; the CLI's own limit is larger
FACET_NAMES = ("people", "tags", "place", "date")
STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = {
    # the page's own script and style only: a story's text is never markup, and even a
    # slip could load nothing from anywhere else
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class BadRequest(ValueError):
    """A parameter out of its range or of the wrong type (400)."""


@dataclass
class Settings:
    index_path: str | None = None
    cors: str | None = None  # an origin allowed to call the API from its pages
    query_seconds: float = 10.0  # each request's time budget
    scheduler: str | None = None  # answer on a Dask scheduler's workers ("local" too)


class Indexes:
    """The served index, opened on first use (503 while none exists), or the queries of
    a Dask scheduler's workers (indexer.cluster_queries) when one is given."""

    def __init__(self, path: str | None, query_seconds: float,
                 scheduler: str | None = None) -> None:
        self.path, self.query_seconds, self.scheduler = path, query_seconds, scheduler
        self._index: Any = None
        self._lock = threading.Lock()
        self._stats: tuple[int, dict] | None = None

    def get(self) -> Any:
        """The Index (or ClusterQueries): the same reading methods."""
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                if self.scheduler:
                    from ..cluster_queries import ClusterQueries

                    self._index = ClusterQueries(self.path or default_index_path(),
                                                 self.scheduler)
                else:
                    index = Index.open(self.path)  # IndexNotFoundError while none exists
                    index.query_seconds = self.query_seconds
                    self._index = index
            return self._index

    def stats(self) -> dict:
        """Index.stats() (which reads every story record), counted once per commit."""
        index = self.get()
        if self.scheduler:
            return index.stats()  # a worker's: no commit to key it by here
        generation = index.searcher().reader().generation()
        cached = self._stats
        if cached is None or cached[0] != generation:
            cached = self._stats = (generation, index.stats())
        return cached[1]

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status,
                        headers=SECURITY_HEADERS)


def _json(payload: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers=SECURITY_HEADERS)


# -- parameters


def _int(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def _count(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = _int(request, name, default, low, high)
    return default if value is None else value


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise BadRequest(f"{name} must be true or false, not {raw[:40]!r}")


def _text(request: Request, name: str, limit: int = 200) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > limit:
        raise BadRequest(f"{name} is too long ({len(raw)} characters, limit {limit})")
    return raw.strip()


def _facets(request: Request) -> tuple[str, ...]:
    raw = _text(request, "facets") or ""
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    unknown = [name for name in names if name not in FACET_NAMES]
    if unknown:
        raise BadRequest(f"unknown facet {unknown[0][:40]!r} (any of {', '.join(FACET_NAMES)})")
    return names


# -- the API


def search(request: Request) -> Response:
    """GET /api/search: `indexer query`'s options as parameters, its JSON as the answer."""
    q = _text(request, "q", MAX_QUERY_CHARS)
    if q is None:
        raise BadRequest("q is required: the query (words, \"phrases\", field:value, ...)")
    limit = _count(request, "limit", 10, 1, MAX_LIMIT)
    offset = _count(request, "offset", 0, 0, MAX_OFFSET)
    per_story = _int(request, "per_story", None, 1, MAX_LIMIT)
    context = _count(request, "context", 0, 0, MAX_CONTEXT)
    sort = request.query_params.get("sort") or "relevance"
    if sort not in ("relevance", "newest", "oldest"):
        raise BadRequest(f"sort must be relevance, newest or oldest, not {sort[:40]!r}")
    group, count, explain = (bool(_flag(request, n)) for n in ("group", "count", "explain"))
    all_versions = bool(_flag(request, "all_versions"))
    feedback = _flag(request, "feedback")
    filters = {name: _text(request, name) for name in ("person", "tag", "place", "since",
                                                       "until")}
    facet_names = _facets(request)
    index = request.app.state.indexes.get()
    started = time.monotonic()
    options = dict(sort=sort, per_story=per_story, all_versions=all_versions,
                   context=context, feedback=feedback, **filters)
    payload: dict[str, Any] = {"query": q, "offset": offset, "limit": limit}
    if group:
        groups = index.search_stories(q, limit=limit, offset=offset, **options)
        payload["stories"] = []
        for number, story in enumerate(groups, start=1):
            data = group_json(story, offset + number, all_versions, context > 0)
            for hit_json, hit in zip(data["hits"], story, strict=True):
                hit_json["highlights"] = _spans(hit)
            payload["stories"].append(data)
        shown = len(groups)
    else:
        hits = index.search(q, limit=limit, offset=offset, **options)
        payload["hits"] = [_hit_json(hit, all_versions, context > 0) for hit in hits]
        shown = len(hits)
    payload["more"] = shown == limit  # another page may follow
    if facet_names:
        payload["facets"] = facets_json(index.facets(q, facet_names, **filters))
    if count:
        paragraphs, stories = index.count(q, **filters)
        payload["total"] = {"paragraphs": paragraphs, "stories": stories}
    if explain:
        payload["feedback"] = feedback_json(index.feedback_words(q, feedback=feedback,
                                                                 **filters))
    if shown < min(3, limit):
        payload["suggestion"] = index.suggest(q)
    payload["took_ms"] = round((time.monotonic() - started) * 1000, 1)
    return _json(payload)


def _hit_json(hit: Hit, all_versions: bool, with_context: bool) -> dict:
    """A hit as `indexer query --format json` gives it, with the character spans of its
    matched words (`highlights`), which a page marks up."""
    data = hit.to_dict(all_versions, with_context=with_context)
    data["highlights"] = _spans(hit)
    return data


def _spans(hit: Hit) -> list[list[int]]:
    """The character spans of a hit's matched words in its text, as JSON lists."""
    return [list(span) for span in hit.highlights]


def story(request: Request) -> Response:
    """GET /api/stories/{id}: a story in full, and each of its versions marked."""
    story_id = request.path_params["story_id"]
    index = request.app.state.indexes.get()
    version = _int(request, "version", None, 0, 1_000_000)
    found = index.story(story_id, version)
    if found is None:
        raise NoSuchStoryError(f"no story {story_id!r} in the index")
    versions = [{"version": each.version, "status": each.status,
                 "superseded": each.superseded, "headline": each.headline}
                for each in index.story_versions(story_id)]
    return _json({**found.to_dict(), "versions": versions})


def similar(request: Request) -> Response:
    """GET /api/similar/{id}: stories like it; `paragraph=n` (or the CLI's `id#n`, the
    # sent as %23) for stories like one of its paragraphs."""
    target = request.path_params["story_id"]
    paragraph = _int(request, "paragraph", None, 1, 100_000)
    story_id, hash_, number = target.rpartition("#")
    if hash_ and number.isdigit() and paragraph is None:
        target, paragraph = story_id, int(number)
    limit = _count(request, "limit", 10, 1, MAX_LIMIT)
    index = request.app.state.indexes.get()
    hits = index.similar(target, paragraph=paragraph, limit=limit)
    return _json({"story_id": target, "paragraph": paragraph,
                  "hits": [_hit_json(hit, False, False) for hit in hits]})


def stats(request: Request) -> Response:
    """GET /api/stats: `indexer stats --json`, counted once per commit."""
    return _json(request.app.state.indexes.stats())


def health(request: Request) -> Response:
    """GET /api/health: 200 with the index's size when it can be searched, else 503."""
    index = request.app.state.indexes.get()
    return _json({"status": "ok", "version": __version__,
                  "paragraphs": index.paragraph_count(), "segments": index.segment_count()})


# -- the page


def page(request: Request) -> Response:
    return _static("index.html", "text/html; charset=utf-8")


def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:  # a fixed list: nothing of the file system is reachable
        return _error(404, f"no file {name[:80]!r}")
    return _static(name, STATIC[name])


def _static(name: str, media_type: str) -> Response:
    body = resources.files("indexer.serve").joinpath("static", name).read_bytes()
    return Response(body, media_type=media_type,
                    headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


# -- errors


def _handled(endpoint):
    """The endpoint, with every failure a JSON error of its status (never a traceback)."""
    def run(request: Request) -> Response:
        try:
            return endpoint(request)
        except BadRequest as exc:
            return _error(400, str(exc))
        except NoSuchStoryError as exc:
            return _error(404, str(exc))
        except QueryTooSlowError as exc:
            return _error(503, str(exc))
        except QueryError as exc:
            return _error(400, str(exc))
        except (IndexNotFoundError, SchemaVersionError, ClusterError) as exc:
            return _error(503, str(exc))
        except Exception as exc:  # logged with its traceback here, one line out there
            log.exception("%s %s failed", request.method, request.url.path)
            return _error(500, f"internal error ({type(exc).__name__}); the server's log "
                               "has the details")
    run.__name__ = endpoint.__name__
    run.__doc__ = endpoint.__doc__
    return run


def not_found(request: Request, exc: Exception) -> Response:
    return _error(404, f"no such page {request.url.path[:200]!r}")


def not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, "read-only: only GET and HEAD are answered")


def create_app(settings: Settings | None = None) -> Starlette:
    """The application over one index (or archive)."""
    settings = settings or Settings()
    routes = [
        Route("/", _handled(page)),
        Route("/static/{name}", _handled(asset)),
        Route("/api/search", _handled(search)),
        Route("/api/stories/{story_id:path}", _handled(story)),
        Route("/api/similar/{story_id:path}", _handled(similar)),
        Route("/api/stats", _handled(stats)),
        Route("/api/health", _handled(health)),
    ]
    middleware = []
    if settings.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[settings.cors],
                                     allow_methods=["GET"]))
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # searches are CPU-bound under one GIL per process: a few threads each, not
        # Starlette's 40, so that a process answers its queue in turn instead of
        # slicing its core among dozens of requests (more processes use more cores)
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield
        app.state.indexes.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.indexes = Indexes(settings.index_path, settings.query_seconds,
                                settings.scheduler)
    app.state.settings = settings
    return app


def app_from_environment() -> Starlette:
    """The application a uvicorn worker process builds (`indexer serve --workers N`):
    its settings come through the environment, as a process is all a worker is given."""
    import os

    cors = os.environ.get("INDEXER_SERVE_CORS") or None
    seconds = float(os.environ.get("INDEXER_SERVE_SECONDS") or 10.0)
    scheduler = os.environ.get("INDEXER_SERVE_SCHEDULER") or None
    return create_app(Settings(os.environ.get("INDEXER_INDEX") or default_index_path(),
                               cors, seconds, scheduler))
