"""idx.py's Reader: the header judged from the first bytes inflated, its bounds to the byte,
memory that follows what came, and each kind of file told apart."""
import gzip
import tracemalloc
import zlib

import pytest

import idx
from conftest import idx_labels

import numpy


def labels_file(count):
    return idx_labels(numpy.arange(count, dtype=numpy.uint8) % 10)


def read(data, limit=10 ** 6, images=False, pieces=None):
    """What a Reader makes of data fed whole, or in pieces of `pieces` bytes."""
    reader = idx.Reader(images, limit)
    step = pieces or len(data) or 1
    for start in range(0, len(data), step):
        reader.feed(data[start:start + step])
        if reader.ended:
            break
    return reader.finish()


@pytest.mark.parametrize('pieces', [None, 1, 7, 1000])
def test_a_file_read_in_any_pieces_is_the_same(pieces):
    raw = labels_file(300)
    data, sizes = read(gzip.compress(raw), pieces=pieces)
    assert (bytes(data), sizes) == (raw, [300])


def test_a_header_cut_off_inside_its_sizes_is_broken():
    images_header = idx.header_of(True, [5, 28, 28])
    for cut in (4, 5, 8, 15):  # the magic number whole, then part of the three sizes
        with pytest.raises(idx.BrokenFile, match='it ends inside its header'):
            read(gzip.compress(images_header[:cut]), images=True)
    with pytest.raises(idx.BrokenFile, match='it ends inside its header'):
        read(gzip.compress(images_header[:3]), images=True)


def test_the_size_limit_counts_the_header_to_the_byte():
    raw = labels_file(100)  # 8 bytes of header and 100 labels
    assert read(gzip.compress(raw), limit=108)[1] == [100]
    with pytest.raises(idx.UnusableFile, match='its header promises 100 labels, more than the 107 bytes allowed'):
        read(gzip.compress(raw), limit=107)


@pytest.mark.parametrize('page', [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>',  # S3's
    b'<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
])
def test_a_storage_services_xml_error_page_is_a_failed_download(page):
    with pytest.raises(idx.BrokenFile) as caught:
        read(page)
    assert caught.value.placeholder and 'XML page' in str(caught.value)


def test_a_small_file_promising_a_billion_labels_is_cut_short_without_allocating_them():
    # 16 bytes of gzip... whose header promises 1,045,423,872 labels: nothing is set aside
    # for data that never comes.
    promise = (2049).to_bytes(4, 'big') + (1045423872).to_bytes(4, 'big')
    tracemalloc.start()
    with pytest.raises(idx.BrokenFile, match='promises 1045423872 labels, but it holds only 0 bytes'):
        read(gzip.compress(promise), limit=1 << 30)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1 << 20


@pytest.mark.parametrize('stream', ['zeros', 'no idx'])
def test_a_stream_that_is_no_data_set_is_given_up_at_its_first_bytes(stream):
    # What a hostile source sends: 2 GiB of zeros gzipped (its first bytes inflated are no
    # IDX header), or gzip of text. Judged from them, after a few kB have been fed.
    member = gzip.compress(bytes(64 << 20)) if stream == 'zeros' else gzip.compress(b'hello, world\n' * 1000)
    reader = idx.Reader(True, 1 << 30)
    fed = 0
    with pytest.raises(idx.BrokenFile, match='Invalid magic number'):
        for _ in range(32):  # 2 GiB, were it all read
            for start in range(0, len(member), 1 << 16):
                reader.feed(member[start:start + (1 << 16)])
                fed += 1 << 16
    assert fed <= 1 << 16  # the first piece told


def test_more_data_than_promised_is_dropped_but_not_without_end():
    raw = labels_file(10)
    data, _ = read(gzip.compress(raw + bytes(1000)))  # as TF 1.x read it: the promise only
    assert bytes(data) == raw
    with pytest.raises(idx.BrokenFile, match='more data than its header promises'):
        read(gzip.compress(raw + bytes(idx.MARGIN + 1)))


def test_a_corrupt_copy_is_caught_by_the_gzip_check_at_its_end():
    compressed = bytearray(gzip.compress(labels_file(50)))
    compressed[-8] ^= 1  # the CRC of the data
    with pytest.raises(idx.BrokenFile, match='corrupt'):
        read(bytes(compressed))


def test_a_gzip_of_several_members_is_read_on_as_pythons_gzip_reads_it():
    raw = labels_file(40)
    data, _ = read(gzip.compress(raw[:20]) + gzip.compress(raw[20:]), pieces=3)
    assert bytes(data) == raw


def test_what_follows_the_gzip_data_is_neither_read_nor_kept():
    compressed = gzip.compress(labels_file(40))
    reader = idx.Reader(False, 10 ** 6)
    reader.feed(compressed + b'trailing junk')
    assert reader.ended and bytes(reader.compressed) == compressed
    reader.feed(b'more')  # not taken
    assert bytes(reader.compressed) == compressed


def test_raw_deflate_is_not_gzip():
    with pytest.raises(idx.BrokenFile, match='it is not gzip data'):
        read(zlib.compress(labels_file(10)))
