"""The sealed-segment format of object data at rest, and blobs written and read with it."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from credmint.s3 import segments
from credmint.s3.blobs import BlobStore, is_sealed
from credmint.s3.segments import CHUNK, Opener, Sealer, SegmentCorrupt, sealed_size

KEY = bytes(range(32))


def _seal(data: bytes, key: bytes = KEY, piece: int = 10_000) -> bytes:
    sealer = Sealer(key)
    out = sealer.header
    for i in range(0, len(data), piece):
        out += sealer.feed(data[i : i + piece])
    return out + sealer.finish()


def _open_all(sealed: bytes, size: int, key: bytes = KEY) -> bytes:
    opener = Opener(key, sealed[: segments.HEADER_BYTES], size)
    out = b""
    for i in range(opener.chunks):
        start = segments.chunk_offset(i)
        out += opener.open(i, sealed[start : start + segments.sealed_chunk_size(size, i)])
    return out


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_round_trip_and_size(size: int) -> None:
    data = os.urandom(size)
    sealed = _seal(data)
    assert len(sealed) == sealed_size(size)
    assert _open_all(sealed, size) == data


def test_ciphertext_is_not_the_plaintext_and_differs_each_time() -> None:
    data = b"plaintext marker " * 10_000
    a, b = _seal(data), _seal(data)
    assert b"plaintext marker" not in a
    assert a != b  # a fresh salt, so a fresh key, per segment


def test_tampering_truncation_and_wrong_key_fail_authentication() -> None:
    data = os.urandom(2 * CHUNK + 5)
    sealed = bytearray(_seal(data))
    with pytest.raises(SegmentCorrupt):
        _open_all(bytes(sealed), len(data), key=bytes(32))
    sealed[segments.chunk_offset(1) + 3] ^= 1
    with pytest.raises(SegmentCorrupt):
        _open_all(bytes(sealed), len(data))
    # Dropping the last chunk and claiming the object ends earlier: the new last chunk was
    # not sealed as the last one.
    whole = _seal(data)
    with pytest.raises(SegmentCorrupt):
        _open_all(whole[: segments.chunk_offset(2)], 2 * CHUNK)
    with pytest.raises(SegmentCorrupt):
        Opener(KEY, b"XXXX" + bytes(32), 1)


def test_plan_maps_ranges_onto_segments_and_chunks() -> None:
    sizes = [CHUNK * 2, 10, CHUNK + 1]
    plan = list(segments.plan(sizes, CHUNK + 5, CHUNK + 20))
    # From chunk 1 of segment 0 (skipping 5 bytes) into segment 1 and segment 2's first chunk.
    assert plan[0] == (0, 0, 1, 1, 5)
    assert plan[1] == (1, sealed_size(CHUNK * 2), 0, 0, 0)
    assert plan[2][0] == 2 and plan[2][2:] == (0, 0, 0)
    assert list(segments.plan(sizes, 0, 0)) == []


def test_blob_store_ranges_over_several_segments(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    parts = [os.urandom(n) for n in (CHUNK * 2 + 3, 1, 5000)]
    names = []
    for part in parts:
        writer = store.writer()
        writer.begin(KEY)
        writer.write(part)
        names.append(writer.commit())
    assert all(is_sealed(n) for n in names)
    whole = store.writer()
    for name, part in zip(names, parts, strict=True):
        whole.copy_sealed(store, name, [len(part)])
    name = whole.commit()
    data = b"".join(parts)
    sizes = [len(p) for p in parts]
    rng = random.Random(7)
    cases = [(0, len(data)), (len(data) - 1, 1), (CHUNK * 2, 5)]
    cases += [(s, rng.randrange(1, len(data) - s + 1)) for s in (rng.randrange(len(data)) for _ in range(30))]
    for start, length in cases:
        reader = store.open(name, sizes, KEY, start, length)
        assert reader.read_all() == data[start : start + length], (start, length)
    assert data[:64] not in store.path(name).read_bytes()


def test_a_discarded_writer_leaves_no_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    writer = store.writer()
    writer.begin(KEY)
    writer.write(b"x" * 100_000)
    writer.discard()
    assert list(store.tmp.iterdir()) == []


def test_blobs_written_before_encryption_are_read_as_plaintext(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "objects")
    name = "ab" + "0" * 30  # an older version's name: no ".s1"
    data = os.urandom(3 * CHUNK)
    store.path(name).parent.mkdir(parents=True)
    store.path(name).write_bytes(data)
    assert not is_sealed(name)
    assert store.open(name, [len(data)], None, 10, CHUNK).read_all() == data[10 : 10 + CHUNK]
