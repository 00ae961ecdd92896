"""Memory handed back to the system between the big steps of a build."""

from __future__ import annotations


def give_back_memory() -> None:
    """Return freed memory to the system: a long book's chapter trees (the main process)
    or laid-out pages (a layout worker) are hundreds of MB of small objects, and glibc
    keeps freed memory unless asked."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused, just not returned
        pass


_given_back = False


def give_back_memory_once() -> None:
    """give_back_memory, the first time in this process (a layout worker, after the
    chapters it laid out; each call costs ~50 ms)."""
    global _given_back
    if not _given_back:
        _given_back = True
        give_back_memory()
