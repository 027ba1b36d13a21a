"""The sync runs on allocators that give memory back, and leaves the user's own choices alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest

from happyfox_sync.allocators import SYNC_MALLOC_ARENAS, cap_malloc_arenas, lean_allocators

GLIBC = sys.platform == "linux" and os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")


@pytest.fixture
def mimalloc_pool():
    """Arrow on its mimalloc pool, as pyarrow's Linux wheels start (the test leaves it so)."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    yield
    pa.set_memory_pool(before)


def test_arrow_allocates_from_the_system_allocator_inside_the_block(mimalloc_pool, monkeypatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    with lean_allocators():
        assert pa.default_memory_pool().backend_name == "system"
        assert pa.array(list(range(1000))).buffers()[1].size == 8000
    assert pa.default_memory_pool().backend_name == "mimalloc"


def test_arrows_pool_comes_back_after_a_failure(mimalloc_pool, monkeypatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    with pytest.raises(RuntimeError):
        with lean_allocators():
            raise RuntimeError("sync failed")
    assert pa.default_memory_pool().backend_name == "mimalloc"


def test_a_pool_the_user_chose_in_the_environment_stays(mimalloc_pool, monkeypatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    with lean_allocators():
        assert pa.default_memory_pool().backend_name == "mimalloc"


def test_an_arena_cap_the_user_set_is_not_overridden(monkeypatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas() is False


ARENAS_AFTER_THREADS = textwrap.dedent(
    """
    import ctypes, threading
    from happyfox_sync.allocators import cap_malloc_arenas
    print(cap_malloc_arenas(), flush=True)
    def allocate():
        blocks = [bytearray(200_000) for _ in range(20)]
        ready.wait()
    ready = threading.Event()
    threads = [threading.Thread(target=allocate) for _ in range(12)]
    for thread in threads:
        thread.start()
    ready.set()
    for thread in threads:
        thread.join()
    ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" block per arena, on stderr
    """
)


@pytest.mark.skipif(not GLIBC, reason="arenas are glibc's")
def test_twelve_allocating_threads_share_two_glibc_arenas() -> None:
    environment = {key: value for key, value in os.environ.items() if key != "MALLOC_ARENA_MAX"}
    done = subprocess.run([sys.executable, "-c", ARENAS_AFTER_THREADS], capture_output=True, text=True, env=environment, check=True)
    assert done.stdout.strip() == "True"
    assert done.stderr.count("Arena ") == SYNC_MALLOC_ARENAS == 2
