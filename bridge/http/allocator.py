"""Giving freed memory back to the system, so a burst of requests does not stay in RSS.

2,500 stalled bodies of 65,000 bytes took the ingress from 111 to 265 MB, and it
stayed there after they closed: the buffers were freed, but glibc's malloc keeps
freed heap memory for reuse and returns only what lies at the top of its heap (a
single live allocation above them pins them all). Blocks of 65,000 bytes are under
its mmap threshold (128 KiB, rising by itself up to 32 MiB), so they came from the heap.

- `tune()` (the served process, at start): blocks of 64 KiB and more come from
  mmap, and are unmapped when freed (a fixed threshold does not rise); and at most
  two arenas, where each thread-pool thread could otherwise keep one of its own.
- `release()`: `malloc_trim(0)` gives back every free page in the heap, not only
  its top. The body gate calls it when a burst of reads ends (`bridge.http.body`).

Elsewhere (musl, macOS) there is no such function, and both do nothing.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

__all__ = ["release", "tune"]

#: mallopt's parameters (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 64 * 1024
ARENA_MAX = 2


@functools.cache
def _libc() -> Any | None:
    """The process's C library, when it is glibc (the only one with malloc_trim)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def tune() -> bool:
    """Set the allocator for a long-lived server; whether it could."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        libc.mallopt(_M_ARENA_MAX, ARENA_MAX))


def release() -> bool:
    """Give free heap pages back to the system; whether any were."""
    libc = _libc()
    return libc is not None and bool(libc.malloc_trim(0))
