"""How a command fails: one line and an exit code (README, Exit codes), never a traceback
in a cron mail. The errors a caller may catch carry their own exit code
(indexer.errors); an unexpected one is one line naming the file that holds its
traceback (a crash report), and exit code 70.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback

import click

from . import __version__
from .errors import EXIT_INDEX, EXIT_INTERNAL, EXIT_LOCKED, EXIT_OK, exit_code
from .output import say
from .textio import printable


def fail(message: str, code: int) -> None:
    say(f"indexer: {message}", err=True)
    sys.exit(code)


def crash_report(exc: BaseException) -> str:
    """Write the full traceback of an unexpected error to a file of its own; its path."""
    fd, path = tempfile.mkstemp(prefix="indexer-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
        f.write(f"indexer {__version__}, {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
        f.write(f"command: {' '.join(printable(a) for a in sys.argv)}\n\n")
        f.write("".join(traceback.format_exception(exc)))
    return path


class Guarded(click.Group):
    """Every command behind one guard: an unexpected error is one line naming it and the
    file that holds its traceback, and exit code 70, never a traceback in a cron mail. A
    system error (disk full, permission denied) is one line and exit code 5."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # the reader went away (`indexer query oil | head -1`): stop quietly, as git
            # and ripgrep do; Python's own flush at exit must not complain either
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except OSError as exc:
            from .errors import IndexNotFoundError

            if isinstance(exc, IndexNotFoundError):  # found by a worker of --scheduler
                fail(str(exc), EXIT_INDEX)
            where = f": {printable(str(exc.filename))}" if exc.filename else ""
            fail(f"{exc.strerror or type(exc).__name__}{where}", EXIT_INDEX)
        except Exception as exc:
            from whoosh.index import LockError

            from .errors import CORRUPTION

            code = exit_code(exc)  # the errors a caller may catch (indexer.errors)
            if code is not None:
                fail(printable(str(exc)), code)
            if isinstance(exc, CORRUPTION):
                fail(f"the index is damaged ({type(exc).__name__}: "
                     f"{printable(str(exc))[:200]}); `indexer check` tells more", EXIT_INDEX)
            if isinstance(exc, LockError):
                fail("another process is writing to the index", EXIT_LOCKED)
            report = crash_report(exc)
            fail(f"unexpected error: {type(exc).__name__}: {printable(str(exc))[:300]} "
                 f"(full report: {report})", EXIT_INTERNAL)
