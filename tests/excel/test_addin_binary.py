"""The add-in's binary formats, checked against independent readers (oletools, olefile)."""

from __future__ import annotations

import io
import os

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from cruscotto_xl.addin.cfb import write_cfb
from cruscotto_xl.addin.ovba import CompressionError, compress, decompress


def test_spec_vectors_byte_exact():
    # [MS-OVBA] §3.2.1 and §3.2.3
    assert compress(b"abcdefghijklmnopqrstuv.") == bytes.fromhex(
        "0119B000616263646566676800696A6B6C6D6E6F7000717273747576" "2E")
    assert compress(b"a" * 73) == bytes.fromhex("0103B0026145" "00")


def test_spec_vector_3_2_2_decodes():
    # The spec's own sample picks farther matches than its algorithm; decode-equality is
    # what matters (two conforming compressors may differ).
    data = b"#aaabcdefaaaaghijaaaabklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert decompress(compress(data)) == data
    assert decompress_stream(bytearray(compress(data))) == data


VBA_LIKE = st.text(st.sampled_from("abcdefghij ABC\r\n\t=()\"'.,_0123456789àèìòù"),
                   max_size=12000).map(lambda t: t.encode("cp1252"))


@settings(max_examples=60, deadline=None)
@given(VBA_LIKE)
def test_round_trip_through_oletools(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert decompress_stream(bytearray(packed)) == data


@pytest.mark.parametrize("size", [1, 8, 9, 4093, 4094, 4095, 4096, 4097, 8192])
def test_chunk_boundaries(size):
    data = (b"Sub Ricalcola()\r\n" * 600)[:size]
    assert decompress_stream(bytearray(compress(data))) == data


def test_incompressible_chunk_is_refused():
    with pytest.raises(CompressionError):
        compress(os.urandom(4096))


names = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc0123"), min_size=1, max_size=20)
sizes = st.sampled_from([0, 1, 63, 64, 65, 4095, 4096, 4097, 9000])


@st.composite
def trees(draw, depth=2):
    keys = draw(st.lists(names, min_size=1, max_size=6, unique_by=str.upper))
    tree = {}
    for key in keys:
        if depth and draw(st.booleans()):
            tree[key] = draw(trees(depth - 1))
        else:
            tree[key] = os.urandom(draw(sizes))
    return tree


def streams(tree, prefix=()):
    for name, value in tree.items():
        if isinstance(value, dict):
            yield from streams(value, (*prefix, name))
        else:
            yield [*prefix, name], value


@settings(max_examples=40, deadline=None)
@given(trees())
def test_compound_file_reads_back_with_olefile(tree):
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(tree)), raise_defects=olefile.DEFECT_INCORRECT)
    for path, data in streams(tree):
        assert ole.openstream(path).read() == data
    assert sorted(ole.listdir()) == sorted(p for p, _ in streams(tree))
