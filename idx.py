"""Reading IDX files, the format of MNIST's four files, gzipped as MNIST's are, as they stream.

An IDX file is a magic number, whose third byte gives the type of its elements and whose
fourth the number of its dimensions, then the size of each dimension (4 bytes each, big
endian), then the elements. MNIST's images are unsigned bytes in 3 dimensions (magic number
2051: images, rows, columns), its labels unsigned bytes in 1 (2049).

A Reader is fed the gzipped bytes piece by piece, from a file or from the network, and
judges them as they come: the IDX header is read from the first bytes inflated, so that a
source that sends no IDX file at all, or one that promises more than the limit, is given up
at once. Memory follows what has come: the data grows as it is inflated, up to what the
header promises, and the gzip bytes up to the most any gzip of that can take; nothing is
allocated for data that has not come.

The gzip data is inflated to its end, so that its length and CRC are checked (a corrupt
copy inflates too, to the wrong bytes). Data beyond what the header promises is dropped, as
TF 1.x never read it, but only up to MARGIN bytes of it; bytes after the end of the gzip
data (another member, or anything) are not read. A gzip of several members is read on
into the next while the header's data is not all there, as Python's gzip module reads it.

It tells three kinds of file apart, because the loader treats them differently:
- BrokenFile: not a well-formed gzipped IDX file (empty, an HTML or XML page, cut short,
  corrupt, less data than its header gives, or far more);
- UnusableFile: a well-formed IDX file that is not what the loader can use (another element
  type, other dimensions, more than the limit, or not gzipped under a .gz name);
- otherwise the data, and its header's sizes.
"""

import math
import re
import zlib

IMAGES_MAGIC = 2051  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # unsigned bytes, 1 dimension
GZIP_MAGIC = b'\x1f\x8b'
GZIP_WINDOW = 16 + zlib.MAX_WBITS  # zlib's setting for gzip data, which checks its CRC
# The third byte of an IDX magic number: the type of its elements.
ELEMENT_TYPES = {
    0x08: 'unsigned bytes',
    0x09: 'signed bytes',
    0x0B: '16-bit integers',
    0x0C: '32-bit integers',
    0x0D: '32-bit floats',
    0x0E: '64-bit floats',
}
LONGEST_HEADER = 4 + 4 * 255  # a magic number and 255 sizes
MARGIN = 1 << 20  # the most data beyond the header's promise that is inflated, then dropped
CHUNK_BYTES = 1 << 16  # read from a file at a time
SNIFF_BYTES = 1024  # what is looked at to tell what a file that is not gzip is


class BrokenFile(ValueError):
    """The bytes are not a well-formed gzipped IDX file.

    placeholder: the file holds nothing of any data (it is empty, or a page of HTML or XML
    stands in its place). header: the IDX header, where it was read whole before the file
    broke off, else b''. Both tell a failed copy of a known file from someone's data.
    """

    def __init__(self, message, header=b'', placeholder=False):
        super().__init__(message)
        self.header, self.placeholder = header, placeholder


class UnusableFile(ValueError):
    """A well-formed IDX file, but not one the loader can use."""


class NotExpected(ValueError):
    """An IDX header, but not the one the caller expected (another data set's)."""


def largest_gzip(size):
    """The most bytes any gzip of `size` bytes can take: stored blocks add 5 bytes to each
    64 KiB, and a name or comment in the header up to 64 KiB more."""
    return size + 5 * (size // 65535 + 1) + (1 << 16)


def header_of(images, sizes):
    """The IDX header of MNIST-like images or labels of these sizes."""
    magic = IMAGES_MAGIC if images else LABELS_MAGIC
    return b''.join(value.to_bytes(4, 'big') for value in (magic, *sizes))


def read(stream, images, limit, expected_header=None):
    """(data, sizes) of the gzipped IDX file in a binary stream, read as a Reader reads it;
    no more of the stream is read than the gzip data."""
    reader = Reader(images, limit, expected_header)
    while not reader.ended:
        piece = stream.read(CHUNK_BYTES)
        if not piece:
            break
        reader.feed(piece)
    return reader.finish()


class Reader:
    """A gzipped IDX file judged as it comes: feed() each piece, then finish().

    images: True for an images file, False for a labels file. limit: the most bytes the
    decompressed file may hold. expected_header: the header it must have (NotExpected at
    once if not), or None for any that fits. feed() raises BrokenFile, UnusableFile or
    NotExpected as soon as the bytes so far show one; `ended` is True once the gzip data
    has ended (nothing more is needed), and `compressed` then holds its bytes.
    """

    def __init__(self, images, limit, expected_header=None):
        self.images, self.limit, self.expected_header = images, limit, expected_header
        self.compressed = bytearray()  # what was fed, less what follows the gzip data
        self.data = bytearray()  # the header, then the elements, up to the header's promise
        self.header, self.sizes, self.dropped = b'', None, 0
        self.inflater = None  # made once the bytes are known to be gzip
        self.used = 0  # the bytes of `compressed` the inflaters took
        self.between = b''  # bytes after a gzip member, too few to tell what follows
        self.ended = False

    @property
    def promised(self):
        """The bytes of the whole file, header included, that its header promises."""
        return len(self.header) + math.prod(self.sizes)

    @property
    def complete(self):
        return self.sizes is not None and len(self.data) >= self.promised

    def feed(self, piece):
        if self.ended:
            return
        self.compressed += piece
        self._check_gzip_size()
        if self.inflater is None:
            if not self._is_gzip():
                return
            self.inflater = zlib.decompressobj(GZIP_WINDOW)
            piece = bytes(self.compressed)
        elif self.inflater.eof:  # between two members
            piece, self.between = self.between + piece, b''
        self._inflate(piece)

    def _is_gzip(self):
        """Whether the bytes so far begin as gzip does: False while too few have come to
        tell; an error once SNIFF_BYTES have come that are not gzip (else at finish())."""
        start = bytes(self.compressed[:SNIFF_BYTES])
        if len(start) < len(GZIP_MAGIC):
            return False
        if start.startswith(GZIP_MAGIC):
            return True
        if len(start) >= SNIFF_BYTES:
            raise _not_gzip(start)
        return False

    def _check_gzip_size(self):
        expected = self.promised if self.sizes is not None else LONGEST_HEADER
        if len(self.compressed) > largest_gzip(expected + MARGIN):
            raise BrokenFile(
                'its gzip data goes on past %d bytes, more than any gzip of %s may take'
                % (largest_gzip(expected + MARGIN), 'its data' if self.sizes else 'a header'),
                self.header,
            )

    def _inflate(self, pending):
        try:
            while pending and not self.ended:
                if self.inflater.eof:
                    pending = self._next_member(pending)
                    continue
                out = self.inflater.decompress(pending, self._room())
                taken = len(pending) - len(self.inflater.unconsumed_tail)
                if self.inflater.eof:
                    taken -= len(self.inflater.unused_data)
                self.used += taken
                pending = pending[taken:]
                self._take(out)
                if self.inflater.eof and self.complete:
                    self._end()
        except zlib.error as error:
            raise BrokenFile('the gzip data is corrupt (%s)' % error, self.header) from None

    def _room(self):
        """How many bytes the inflater may give now (never 0, which zlib takes as no limit)."""
        if self.sizes is None:
            return LONGEST_HEADER
        room = self.promised + MARGIN - len(self.data) - self.dropped
        if room <= 0:
            raise BrokenFile(
                'it holds more data than its header promises (%s), by over %d bytes'
                % (_described(self.sizes), MARGIN),
                self.header,
            )
        return room

    def _take(self, out):
        """Keep the inflated bytes `out` up to the header's promise, and count the rest."""
        self.data += out
        if self.sizes is None:
            self._judge_header()
        if self.sizes is not None and len(self.data) > self.promised:
            self.dropped += len(self.data) - self.promised
            del self.data[self.promised :]

    def _next_member(self, pending):
        """After one gzip member, with the header's data not all there: the bytes that
        follow, given to a new inflater if they are another member; else the end."""
        if len(pending) < len(GZIP_MAGIC):
            self.between = pending  # too few to tell: wait for the next piece
            return b''
        if not pending.startswith(GZIP_MAGIC):
            self._end()
            return b''
        self.inflater = zlib.decompressobj(GZIP_WINDOW)
        return pending

    def _end(self):
        self.ended = True
        del self.compressed[self.used :]  # what follows the gzip data is not part of it

    def _judge_header(self):
        if len(self.data) < 4:
            return
        magic = bytes(self.data[:4])
        zeros, element_type, dimensions = magic[:2], magic[2], magic[3]
        if zeros != b'\0\0' or element_type not in ELEMENT_TYPES:
            raise BrokenFile(
                'Invalid magic number %d in MNIST %s file'
                % (int.from_bytes(magic, 'big'), 'image' if self.images else 'label')
            )
        if len(self.data) < 4 + 4 * dimensions:
            return
        header = bytes(self.data[: 4 + 4 * dimensions])
        sizes = [int.from_bytes(header[i : i + 4], 'big') for i in range(4, len(header), 4)]
        _check_usable(header, sizes, self.images, self.limit)
        if self.expected_header is not None and header != self.expected_header:
            raise NotExpected(
                'its header gives %s, not %s'
                % (_described_header(header), _described_header(self.expected_header))
            )
        self.header, self.sizes = header, sizes

    def finish(self):
        """(data, sizes): the decompressed file, header included, and its header's sizes."""
        if self.inflater is None:
            raise _not_gzip(bytes(self.compressed[:SNIFF_BYTES]))
        if self.sizes is None:
            raise self._no_header()
        if not self.ended and not self.inflater.eof:
            raise BrokenFile('the gzip data ends early (a download cut short?)', self.header)
        if not self.complete:
            raise BrokenFile(
                'its header promises %s, but it holds only %d bytes of them'
                % (_described(self.sizes), len(self.data) - len(self.header)),
                self.header,
            )
        return self.data, self.sizes

    def _no_header(self):
        if not self.data:
            if self.inflater.eof:
                return BrokenFile('it holds no data', placeholder=True)
            return BrokenFile('the gzip data ends early (a download cut short?)')
        return BrokenFile('it ends inside its header')


def _check_usable(header, sizes, images, limit):
    """UnusableFile unless header is of MNIST's kind of file (images or labels) and its data
    fits within limit."""
    magic = int.from_bytes(header[:4], 'big')
    expected = IMAGES_MAGIC if images else LABELS_MAGIC
    if magic != expected:
        raise UnusableFile(
            'Invalid magic number %d in MNIST %s file: it is an IDX file of '
            "%d-dimensional %s, and MNIST's %s are %d-dimensional unsigned bytes"
            % (
                magic,
                'image' if images else 'label',
                header[3],
                ELEMENT_TYPES[header[2]],
                'images' if images else 'labels',
                3 if images else 1,
            )
        )
    if len(header) + math.prod(sizes) > limit:
        raise UnusableFile(
            'its header promises %s, more than the %d bytes allowed' % (_described(sizes), limit)
        )


def _not_gzip(start):
    """The error for a file that does not begin as gzip does."""
    if not start:
        return BrokenFile('it is empty', placeholder=True)
    if re.search(rb'<!doctype|<html|<head|<body', start.lower()):
        return BrokenFile(
            'it is an HTML page, not gzip data (an error page saved in its place?)',
            placeholder=True,
        )
    if start.lstrip().startswith(b'<?xml') or re.match(rb'\s*<error>', start, re.IGNORECASE):
        return BrokenFile(
            "it is an XML page, not gzip data (a storage service's error saved in its place?)",
            placeholder=True,
        )
    if start[:2] == b'\0\0' and start[2:3] and start[2] in ELEMENT_TYPES:
        return UnusableFile(
            'it is an IDX file that is not gzipped, under a .gz name; '
            'gzip it (gzip -k FILE, then rename), or load it where it came from'
        )
    return BrokenFile('it is not gzip data')


def _described(sizes):
    if len(sizes) == 3:
        return '%d images of %dx%d pixels' % tuple(sizes)
    return '%d labels' % sizes[0]


def _described_header(header):
    sizes = [int.from_bytes(header[i : i + 4], 'big') for i in range(4, len(header), 4)]
    return _described(sizes)
