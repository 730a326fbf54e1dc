"""Which Whoosh the extensions were written for, and the switch back to stock Whoosh.

The extensions replace Whoosh internals (private methods and file layouts), so they run only
on a Whoosh release they were written and tested against; on any other, the index class
hands out stock Whoosh's writer and readers after one warning. stock_whoosh() turns them off
for a block: the reference the tests compare with, and the benchmarks' naive baseline.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import whoosh

# the Whoosh releases these extensions were written against (whoosh.versionstring())
WRITTEN_FOR = ("2.7.5",)
_WARNED: list[str] = []


_STOCK: list[bool] = []
_VERSION_OK: list[bool] = []  # [True] once active() found a Whoosh of WRITTEN_FOR


@contextmanager
def stock_whoosh() -> Iterator[None]:
    """Within this block the index class hands out stock Whoosh's writer and readers, as
    on a Whoosh these extensions were not written for: the reference the tests compare
    with, and the benchmarks' naive baseline."""
    _STOCK.append(True)
    try:
        yield
    finally:
        _STOCK.pop()


def active() -> bool:
    """Whether the index class hands out these extensions: this Whoosh is one they were
    written for (else stock Whoosh's writer and reader, after one warning), and no
    stock_whoosh() block is open."""
    if _STOCK:
        return False
    if _VERSION_OK:  # asked for every document: the version is read once
        return True
    version = whoosh.versionstring()
    if version in WRITTEN_FOR:
        _VERSION_OK.append(True)
        return True
    if version not in _WARNED:
        _WARNED.append(version)
        warnings.warn_explicit(
            f"Whoosh {version} is not a version indexer's Whoosh extensions were written for "
            f"({', '.join(WRITTEN_FOR)}); using stock Whoosh (slower)",
            RuntimeWarning, filename="indexer", lineno=0)
    return False
