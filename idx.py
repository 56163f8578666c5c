"""Reading IDX files, the format of MNIST's four files, gzipped as MNIST's are.

An IDX file is a magic number, whose third byte gives the type of its elements and whose
fourth the number of its dimensions, then the size of each dimension (4 bytes each, big
endian), then the elements. MNIST's images are unsigned bytes in 3 dimensions (magic number
2051: images, rows, columns), its labels unsigned bytes in 1 (2049).

read() takes at most a given number of bytes from a stream, and inflates no more than the
header promises, so that neither a gzip bomb nor an endless stream costs more than that.
It tells three kinds of file apart, because the loader treats them differently:
- BrokenFile: not a well-formed gzipped IDX file at all (empty, an HTML page, cut short,
  corrupt, more or less data than its header gives);
- UnusableFile: a well-formed IDX file that is not what the loader can use (another element
  type, other dimensions, more than the limit, or not gzipped under a .gz name);
- otherwise the data, and its header's sizes.
"""

import gzip
import math
import re
import zlib

IMAGES_MAGIC = 2051  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # unsigned bytes, 1 dimension
GZIP_MAGIC = b'\x1f\x8b'
# The third byte of an IDX magic number: the type of its elements.
ELEMENT_TYPES = {
    0x08: 'unsigned bytes',
    0x09: 'signed bytes',
    0x0B: '16-bit integers',
    0x0C: '32-bit integers',
    0x0D: '32-bit floats',
    0x0E: '64-bit floats',
}


class BrokenFile(ValueError):
    """The bytes are not a well-formed gzipped IDX file.

    placeholder: the file holds nothing of any data (it is empty, or a page of HTML stands
    in its place). header: the IDX header, where it was read whole before the file broke
    off, else b''. Both tell a failed copy of a known file from someone's data.
    """

    def __init__(self, message, header=b'', placeholder=False):
        super().__init__(message)
        self.header, self.placeholder = header, placeholder


class UnusableFile(ValueError):
    """A well-formed IDX file, but not one the loader can use."""


def largest_gzip(size):
    """The most bytes any gzip of `size` bytes can take: stored blocks add 5 bytes to each
    64 KiB, and a name or comment in the header up to 64 KiB more."""
    return size + 5 * (size // 65535 + 1) + (1 << 16)


def read(stream, images, limit):
    """(data, sizes): the decompressed bytes of the gzipped IDX file in `stream`, header
    included, and its header's sizes ([images, rows, columns] or [labels]).

    images: True for an images file, False for a labels file. limit: the most bytes of data
    the file may hold; no more than any gzip of that many bytes is read from the stream.
    As in TF 1.x, what follows the data its header promises is not read.
    """
    start = stream.read(1024)
    if not start.startswith(GZIP_MAGIC):
        raise _not_gzip(start)
    header = b''
    try:
        with gzip.GzipFile(fileobj=_Capped(start, stream, largest_gzip(limit))) as archive:
            header, sizes = _read_header(archive, images, limit)
            data = header + archive.read(math.prod(sizes))
            _check_the_end(archive)
    except EOFError:
        raise BrokenFile('the gzip data ends early (a download cut short?)', header) from None
    except (OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise BrokenFile('the gzip data is corrupt (%s)' % error, header) from None
    held = len(data) - len(header)
    if held < math.prod(sizes):
        raise BrokenFile(
            'its header promises %s, but it holds only %d bytes of them'
            % (_described(sizes), held),
            header,
        )
    return data, sizes


def _check_the_end(archive):
    """Read on past the data, so that gzip checks the length and CRC of what holds it (a
    corrupt copy inflates too, to the wrong bytes). What follows the data, more data or
    bytes that are not gzip, is not read further: TF 1.x never read it."""
    try:
        archive.read(1)
    except gzip.BadGzipFile as error:
        if not str(error).startswith('Not a gzipped file'):  # else: what follows the data
            raise


def header_of(images, sizes):
    """The IDX header of MNIST-like images or labels of these sizes."""
    magic = IMAGES_MAGIC if images else LABELS_MAGIC
    return b''.join(value.to_bytes(4, 'big') for value in (magic, *sizes))


class _Capped:
    """The bytes `start`, then the rest of `stream`: UnusableFile past `cap` bytes in all."""

    def __init__(self, start, stream, cap):
        self.start, self.stream, self.cap, self.given = start, stream, cap, 0

    def read(self, size=-1):
        size = size if size >= 0 else self.cap + 1
        if self.start:
            data, self.start = self.start[:size], self.start[size:]
        else:
            data = self.stream.read(size)
        self.given += len(data)
        if self.given > self.cap:
            raise UnusableFile(
                'it is over %d bytes, more than any gzip of its data may be' % self.cap
            )
        return data


def _not_gzip(start):
    """The error for a file that does not begin as gzip does."""
    if not start:
        return BrokenFile('it is empty', placeholder=True)
    if re.search(rb'<!doctype|<html|<\?xml|<head|<body', start[:1024].lower()):
        return BrokenFile(
            'it is an HTML page, not gzip data (an error page saved in its place?)',
            placeholder=True,
        )
    if start[:2] == b'\0\0' and start[2:3] and start[2] in ELEMENT_TYPES:
        return UnusableFile(
            'it is an IDX file that is not gzipped, under a .gz name; '
            'gzip it (gzip -k FILE, then rename), or load it where it came from'
        )
    return BrokenFile('it is not gzip data')


def _read_header(archive, images, limit):
    """(header bytes, sizes) of the IDX file inflating from `archive`."""
    magic = archive.read(4)
    if len(magic) < 4:
        if not magic:
            raise BrokenFile('it holds no data', placeholder=True)
        raise BrokenFile('it ends inside its header')
    zeros, element_type, dimensions = magic[:2], magic[2], magic[3]
    if zeros != b'\0\0' or element_type not in ELEMENT_TYPES:
        raise BrokenFile(
            'Invalid magic number %d in MNIST %s file'
            % (int.from_bytes(magic, 'big'), 'image' if images else 'label')
        )
    header = magic + archive.read(4 * dimensions)
    if len(header) < 4 + 4 * dimensions:
        raise BrokenFile('it ends inside its header')
    sizes = [int.from_bytes(header[i : i + 4], 'big') for i in range(4, len(header), 4)]
    expected = IMAGES_MAGIC if images else LABELS_MAGIC
    if int.from_bytes(magic, 'big') != expected:
        raise UnusableFile(
            'Invalid magic number %d in MNIST %s file: it is an IDX file of '
            "%d-dimensional %s, and MNIST's %s are %d-dimensional unsigned bytes"
            % (
                int.from_bytes(magic, 'big'),
                'image' if images else 'label',
                dimensions,
                ELEMENT_TYPES[element_type],
                'images' if images else 'labels',
                3 if images else 1,
            )
        )
    if len(header) + math.prod(sizes) > limit:
        raise UnusableFile(
            'its header promises %s, more than the %d bytes allowed' % (_described(sizes), limit)
        )
    return header, sizes


def _described(sizes):
    if len(sizes) == 3:
        return '%d images of %dx%d pixels' % tuple(sizes)
    return '%d labels' % sizes[0]
