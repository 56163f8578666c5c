"""A learner's picture of a digit made into an MNIST digit, as MNIST's own were made.

MNIST's digits were scanned, made grey, cropped to their ink, fitted into 20x20 pixels
keeping their shape, and centred by their centre of mass in 28x28, light ink 1 on a dark
background 0. prepare() does the same to a photo or a drawing, one step a function:

    opened        the file decoded by Pillow, within bounds, turned as the phone held it
    grey          grey levels, 1 white, a transparent picture laid on white paper
    ink_of        ink 1 and paper 0: the paper's own level, which a shadow or a lamp makes
                  uneven, taken away first, whichever of the two is darker
    without_rules the thin straight lines of ruled or squared paper taken out
    digit_only    the digit's strokes kept, specks of dirt and a page's edge dropped
    cropped, fitted, centred
                  MNIST's steps

classify.py and draw.py both call prepare_file() or prepare_bytes(), so that a picture
gives the same digit whichever reads it. Memory is bounded whatever the file: its size and
its pixels are checked before it is decoded. A picture that cannot be read is an ImageError
that says why in a few words.
"""

import io
import os
import warnings

import numpy

import safe_files

MAX_FILE_BYTES = 64 * 1000 * 1000  # phones' photos are 2 to 15 MB
MAX_PIXELS = 50 * 1000 * 1000  # a 48-megapixel phone's photo fits
WORKING_SIDE = 600  # the longer side a picture is reduced to before its ink is found
# Of the strongest ink: what is as strong as STROKE_LEVEL is a stroke (fainter is the paper's
# grain, a light rule, a shadow); around the strokes, what is stronger than EDGE_LEVEL is
# their soft edge, as a scanner sees a pen's stroke.
STROKE_LEVEL = 0.4
EDGE_LEVEL = 0.15
PAPER_WINDOW = 0.25  # of the picture's longer side: wider than any stroke, narrower than a shadow
NO_INK = 0.12  # in grey levels: a page whose ink is not this much darker than its paper is blank
RULE_COVERAGE = 0.6  # a rule crosses at least this share of the picture...
RULE_THICKNESS = 0.01  # ...and is at most this share of its shorter side thick
RULE_SLOPES = numpy.tan(numpy.radians(numpy.arange(-5, 5.25, 0.5)))  # a photo a few degrees askew
THINNEST = 0.1  # of a digit's size: MNIST's strokes are 0.13 of it (median), 0.1 at the fewest
BOX = 20  # MNIST fitted each digit into 20x20 pixels, then centred it in 28x28
SIZE = 28
# Pillow's names for the formats it reads here, as the learner knows them.
READ = 'PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC'


class ImageError(ValueError):
    """A picture that cannot be read as a digit; the message says why."""


def prepare_file(path):
    """The 28x28 image, floats in [0, 1], that the picture at path becomes. ImageError when
    it cannot be read, or shows no ink."""
    try:
        with safe_files.open_regular_file(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            _check_file_size(size)
            return prepare_stream(stream)
    except OSError as error:
        raise ImageError(safe_files.why_unreadable(error)) from None


def prepare_bytes(data):
    """The same for the bytes of a picture file (what the drawing page sends)."""
    _check_file_size(len(data))
    return prepare_stream(io.BytesIO(data))


def prepare_stream(stream):
    ink = ink_of(grey(opened(stream)))
    strokes = digit_only(without_rules(ink >= STROKE_LEVEL))
    return centred(fitted(cropped(thickened(with_soft_edges(ink, strokes)))))


def _check_file_size(size):
    if size > MAX_FILE_BYTES:
        raise ImageError(
            'the file has %.0f MB, more than the %.0f MB read here: save the picture smaller'
            % (size / 1e6, MAX_FILE_BYTES / 1e6)
        )


# Decoding -----------------------------------------------------------------------------


def opened(stream):
    """The first frame of the picture in stream, decoded by Pillow and turned upright as
    its EXIF Orientation says (phones store portrait photos sideways, with that tag). Its
    pixels are counted from its header before it is decoded, and a JPEG is decoded at the
    smallest scale that keeps WORKING_SIDE pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _read_heic_too()
    try:
        with warnings.catch_warnings():  # Pillow's warning of a large picture: MAX_PIXELS is
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)  # checked below
            image = Image.open(stream)  # reads the header only
    except Image.DecompressionBombError:  # so many pixels that Pillow will not even open it
        raise ImageError(
            _too_many_pixels('over %d million' % (2 * Image.MAX_IMAGE_PIXELS // 10**6))
        ) from None
    except UnidentifiedImageError:
        raise ImageError(_not_a_picture(stream)) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError('a broken picture (%s)' % error) from None
    if image.width * image.height > MAX_PIXELS:
        raise ImageError(_too_many_pixels('%dx%d' % image.size))
    if image.format == 'JPEG':
        image.draft(image.mode, (WORKING_SIDE, WORKING_SIDE))
    try:
        image.load()
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        reason = str(error) or type(error).__name__
        raise ImageError('a broken %s picture (%s)' % (image.format, reason)) from None


def _too_many_pixels(how_many):
    return (
        'it has %s pixels, more than the %d million read here: save it smaller (a phone at '
        '12 megapixels, or any picture editor)' % (how_many, MAX_PIXELS // 1000000)
    )


def _read_heic_too():
    """Let Pillow read HEIC (iPhones' photos) where the pillow-heif plugin is installed."""
    try:
        import pillow_heif
    except ImportError:
        return
    pillow_heif.register_heif_opener()


# How the files of each format Pillow reads here begin.
BEGINNINGS = {
    'PNG': (b'\x89PNG',),
    'JPEG': (b'\xff\xd8\xff',),
    'GIF': (b'GIF87a', b'GIF89a'),
    'BMP': (b'BM',),
    'TIFF': (b'II*\0', b'MM\0*'),
}


def _not_a_picture(stream):
    """Why Pillow could not tell what picture the file is, from its first bytes."""
    stream.seek(0)
    start = stream.read(16)
    if start[4:12] in (b'ftypheic', b'ftypheix', b'ftypmif1', b'ftyphevc', b'ftypavif'):
        return (
            'a HEIC or AVIF photo, which needs a plugin here: pip install pillow-heif, or '
            'save it as JPEG (on an iPhone: Settings, Camera, Formats, Most Compatible)'
        )
    if start.startswith(b'RIFF') and start[8:12] == b'WEBP':
        return _broken_after_its_start('WebP')
    for form, beginnings in BEGINNINGS.items():
        if start.startswith(beginnings):
            return _broken_after_its_start(form)
    return 'not a picture: not %s' % READ


def _broken_after_its_start(form):
    return 'a broken %s picture (it begins as one, then breaks off: cut short?)' % form


def grey(image):
    """Grey levels in [0, 1] (1 white) of a Pillow image, reduced so that its longer side is
    at most WORKING_SIDE pixels (each new pixel the average of those it covers). Where it is
    transparent, it is laid on white paper; 16-bit and CMYK pictures are read as such."""
    from PIL import Image

    if image.mode in ('I', 'I;16', 'I;16B', 'I;16L', 'I;16N', 'F'):
        values = numpy.asarray(image, dtype=numpy.float32)
        # 16-bit grey: Pillow gives 'I;16', or 'I' on older releases.
        top = 65535.0 if image.mode.startswith('I;16') or values.max() > 255 else 255.0
        levels = Image.fromarray(numpy.clip(values / top, 0, 1).astype(numpy.float32), 'F')
    elif image.has_transparency_data:
        rgba = numpy.asarray(image.convert('RGBA'), dtype=numpy.float32) / 255
        alpha = rgba[..., 3:]
        over_white = rgba[..., :3] * alpha + (1 - alpha)
        luma = over_white @ numpy.array([0.299, 0.587, 0.114], numpy.float32)  # as 'L' weighs
        levels = Image.fromarray(luma.astype(numpy.float32), 'F')
    else:
        levels = image.convert('L')
    if max(levels.size) > WORKING_SIDE:
        scale = WORKING_SIDE / max(levels.size)
        size = tuple(max(1, round(side * scale)) for side in levels.size)
        levels = levels.resize(size, Image.Resampling.BOX)
    values = numpy.asarray(levels, dtype=numpy.float64)
    return values if levels.mode == 'F' else values / 255


# Finding the ink ----------------------------------------------------------------------


def ink_of(grey_levels):
    """How strong the ink is at each pixel, 1 the strongest and 0 the paper, whatever the
    lighting and whichever is darker.

    The paper's own level is estimated around each pixel (paper_level), so that a shadow,
    a lamp's hot spot or a gradient across the page is taken away: what is ink is what
    differs from the paper around it, as a share of it (in a shadow, ink and paper are
    both darker)."""
    dark_ink = ink_is_darker(grey_levels)
    levels = grey_levels if dark_ink else 1 - grey_levels
    paper = paper_level(levels)
    if numpy.percentile(paper - levels, 99.9) < NO_INK:
        raise ImageError('no ink found on it: a blank page?')
    difference = numpy.clip(1 - levels / numpy.maximum(paper, 1e-3), 0, 1)
    strongest = numpy.percentile(difference, 99.9)
    return numpy.clip(difference / strongest, 0, 1)


def _blocks(levels):
    """(side, blocks): levels cut into square blocks of about a tenth of its longer side,
    [rows, columns, pixels], the last row and column filled out with their edge's pixels."""
    side = max(4, round(max(levels.shape) / 10))
    height, width = levels.shape
    padded = numpy.pad(levels, ((0, -height % side), (0, -width % side)), mode='edge')
    rows, columns = padded.shape[0] // side, padded.shape[1] // side
    blocks = padded.reshape(rows, side, columns, side).transpose(0, 2, 1, 3)
    return side, blocks.reshape(rows, columns, side * side)


def ink_is_darker(grey_levels):
    """Whether the ink is darker than the paper. Ink is the lesser part of any large piece
    of the picture, so the local median level is the paper's; the ink is on the side where
    the picture strays farther from it."""
    difference = grey_levels - local_level(grey_levels, 50)
    return -numpy.percentile(difference, 0.5) >= numpy.percentile(difference, 99.5)


def paper_level(levels):
    """The paper's grey level around each pixel, for dark ink on lighter paper: the
    picture's morphological closing, the lightest level within a window PAPER_WINDOW of
    the picture wide (which no stroke fills), then the darkest of those within the same window.
    It takes the strokes away and keeps the lighting, the sharp edge of a shadow included."""
    width = max(3, round(PAPER_WINDOW * max(levels.shape))) | 1  # odd: centred on the pixel
    lightest = _sliding_max(_sliding_max(levels, width, 0), width, 1)
    return -_sliding_max(_sliding_max(-lightest, width, 0), width, 1)


def _sliding_max(values, width, axis):
    """The largest of values within a window `width` long around each, along axis. The
    window is built up by doubling, so it takes some log2(width) passes, not width."""
    values = numpy.moveaxis(values, axis, 0)
    before = width // 2
    padded = numpy.pad(
        values, [(before, width - 1 - before)] + [(0, 0)] * (values.ndim - 1), mode='edge'
    )
    largest, span = padded, 1  # largest[i]: the largest of padded[i : i + span]
    while span < width:
        step = min(span, width - span)
        largest = numpy.maximum(largest[:-step], largest[step:])
        span += step
    return numpy.moveaxis(largest[: len(values)], 0, axis)


def local_level(levels, percentile):
    """The given percentile of the grey levels in each block (_blocks), then the median of
    each block's 3x3 neighbours (a block the ink fills is outvoted), spread smoothly over
    the pixels: the picture's level as its lighting makes it, without its details."""
    from PIL import Image

    side, blocks = _blocks(levels)
    block_levels = numpy.percentile(blocks, percentile, axis=-1)
    padded = numpy.pad(block_levels, 1, mode='edge')
    rows, columns = block_levels.shape
    neighbours = [
        padded[row : row + rows, column : column + columns]
        for row in range(3)
        for column in range(3)
    ]
    smoothed = numpy.median(neighbours, axis=0).astype(numpy.float32)
    spread = Image.fromarray(smoothed, 'F').resize(
        (columns * side, rows * side), Image.Resampling.BILINEAR
    )
    height, width = levels.shape
    return numpy.asarray(spread, dtype=numpy.float64)[:height, :width]


def without_rules(strokes):
    """strokes [h, w] (True where there is ink) without the thin straight lines that cross
    the picture: the rules of ruled or squared paper, a margin line, the sharp edge of a
    shadow. A rule crosses at least RULE_COVERAGE of the picture, a few degrees askew at
    most, and is at most RULE_THICKNESS of its shorter side thick; where a digit's stroke
    crosses it, the stroke is kept whole. A small picture (a drawing, MNIST's own) has no
    rules."""
    if min(strokes.shape) < 100:
        return strokes
    thickness = max(2, round(RULE_THICKNESS * min(strokes.shape)))
    rules = _horizontal_rules(strokes, thickness) | _horizontal_rules(strokes.T, thickness).T
    return strokes & ~rules


def _horizontal_rules(mask, thickness):
    """The pixels of mask [h, w] on thin lines across it, within RULE_SLOPES of horizontal,
    but for those of a stroke crossing a line."""
    height, width = mask.shape
    columns = numpy.arange(width)
    # Ink to the left of each column, row by row: a line's ink is then summed by segments.
    left_of = numpy.concatenate([numpy.zeros((height, 1), int), mask.cumsum(axis=1)], axis=1)
    rules = numpy.zeros_like(mask)
    for slope in RULE_SLOPES:
        shifts = numpy.rint(columns * slope).astype(int)  # where a line is, from its start
        ink, length = _along_lines(left_of, shifts)
        # A line that leaves the picture at its top or bottom is judged on its part inside.
        crossing = _thin_runs(ink / numpy.maximum(length, width / 2), thickness)
        if not crossing.any():
            continue
        # rows[y, x]: the row at which the line that starts at row y passes column x.
        rows = numpy.arange(height)[:, None] + shifts[None, :]
        inside = (rows >= 0) & (rows < height)
        along = numpy.where(inside, mask[rows.clip(0, height - 1), columns], False)
        band = crossing | numpy.roll(crossing, 1) | numpy.roll(crossing, -1)  # its soft edges
        on_rule = along & band[:, None] & ~_strokes_across(along, band, thickness)
        rules[rows[on_rule], numpy.broadcast_to(columns, rows.shape)[on_rule]] = True
    return rules


def _along_lines(left_of, shifts):
    """(ink, length) [h] along the line that starts at each row y and passes row y +
    shifts[x] at column x: its ink pixels and its length inside the picture. A line is a
    few horizontal segments, one for each shift; each segment's ink is a difference of
    left_of, the ink to the left of each column."""
    height = left_of.shape[0]
    ink, length = numpy.zeros(height), numpy.zeros(height)
    changes = numpy.flatnonzero(numpy.diff(shifts)) + 1
    starts, ends = numpy.r_[0, changes], numpy.r_[changes, len(shifts)]
    for start, end in zip(starts, ends, strict=True):
        shift = shifts[start]
        segment = left_of[:, end] - left_of[:, start]  # ink in columns start to end, by row
        first, last = max(0, -shift), min(height, height - shift)  # lines inside at this segment
        ink[first:last] += segment[first + shift : last + shift]
        length[first:last] += end - start
    return ink, length


def _strokes_across(along, band, depth):
    """Where a stroke meets a band of rows: in each column with ink `depth` rows deep just
    above the band or just below it, the band's pixels are the stroke's (a digit's stroke
    crossing a rule, or lying along it, is thicker than the rule)."""
    across = numpy.zeros_like(along)
    for start, end in _runs(band):
        above = along[max(0, start - depth) : start].all(axis=0) if start >= depth else False
        below = along[end : end + depth].all(axis=0) if end + depth <= len(band) else False
        across[start:end] = above | below
    return across


def _thin_runs(coverage, longest):
    """Which lines [n] are on a rule, from how much of each is ink: a run of lines covered
    at least RULE_COVERAGE, at most `longest` of them, that stands out by half the picture
    from the lines a pixel beyond it on either side. A broad band of ink (a thick stroke,
    a dark border) is no rule, nor a thick stroke crossed aslant, which has ink beside
    the line too; a rule along a digit's stroke is, as it crosses the picture."""
    covered = coverage >= RULE_COVERAGE
    kept = numpy.zeros_like(covered)
    for start, end in _runs(covered):
        beside = coverage[max(0, start - 2)], coverage[min(len(coverage) - 1, end + 1)]
        if end - start <= longest and coverage[start:end].max() - max(beside) >= 0.5:
            kept[start:end] = True
    return kept


def _runs(flags):
    """(start, end) of each run of True in flags [n], end exclusive."""
    edges = numpy.diff(numpy.concatenate([[0], flags.astype(numpy.int8), [0]]))
    return zip(numpy.flatnonzero(edges == 1), numpy.flatnonzero(edges == -1), strict=True)


# Keeping the digit --------------------------------------------------------------------


def components(mask):
    """(labels, count): each 8-connected region of True in mask [h, w] numbered from 1
    (0 where mask is False). Each row's runs of True (row, start, end) are joined, through
    a union-find, to the runs of the row above that they touch, side by side or corner to
    corner."""
    edges = numpy.diff(numpy.pad(mask.astype(numpy.int8), ((0, 0), (1, 1))), axis=1)
    rows, starts = numpy.nonzero(edges == 1)
    ends = numpy.nonzero(edges == -1)[1]  # row by row, left to right: as the starts
    runs = list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True))
    # For each row, the indices of its runs in `runs`, left to right.
    bounds = numpy.searchsorted(rows, numpy.arange(len(mask) + 1))
    rows_runs = [range(bounds[row], bounds[row + 1]) for row in range(len(mask))]
    parent = list(range(len(runs)))

    def root(run):
        while parent[run] != run:
            parent[run] = parent[parent[run]]  # halve the path as it is walked
            run = parent[run]
        return run

    for above, here in zip(rows_runs[:-1], rows_runs[1:], strict=True):
        first = above.start  # the first run above that may still touch one here
        for index in here:
            _, start, end = runs[index]
            while first < above.stop and runs[first][2] < start:
                first += 1
            other = first
            while other < above.stop and runs[other][1] <= end:
                parent[root(other)] = root(index)
                other += 1
    labels = numpy.zeros(mask.shape, dtype=numpy.int32)
    numbers = {}
    for index, (row, start, end) in enumerate(runs):
        labels[row, start:end] = numbers.setdefault(root(index), len(numbers) + 1)
    return labels, len(numbers)


def digit_only(strokes):
    """strokes [h, w] (True where there is ink) with only the digit's. Of their connected
    regions, the digit is the one with the most ink among those that do not touch the
    picture's edge (a page's edge, a finger or a shadow does), unless that one is small
    beside the largest. With it, in turn, each region near those kept so far (within a
    third of the digit's size) that is not a speck (at least a twentieth of its ink), and
    that is inside the picture if the digit is: a digit may be written in several
    strokes, or cut into pieces by the rules taken out."""
    labels, count = components(strokes)
    if count == 0:
        raise ImageError('no ink found on it: a blank page?')
    masses = numpy.bincount(labels.ravel(), minlength=count + 1)[1:]
    boxes = _boxes(labels, count)
    height, width = strokes.shape
    inside = [
        index
        for index, (top, left, bottom, right) in enumerate(boxes)
        if top > 0 and left > 0 and bottom < height and right < width
    ]
    main = max(inside or range(count), key=lambda index: masses[index])
    if masses[main] < 0.2 * masses.max():
        main = int(masses.argmax())
    others = inside if main in inside else range(count)  # a digit inside, with no edge's ink
    not_specks = [index for index in others if masses[index] >= masses[main] / 20]
    kept = _near(main, boxes, not_specks)
    return numpy.isin(labels, numpy.array(kept) + 1)


def _boxes(labels, count):
    """(top, left, bottom, right) of each region, bottom and right exclusive."""
    rows, columns = numpy.nonzero(labels)
    numbers = labels[rows, columns] - 1
    tops = numpy.full(count, labels.shape[0])
    lefts = numpy.full(count, labels.shape[1])
    bottoms, rights = numpy.zeros(count, int), numpy.zeros(count, int)
    numpy.minimum.at(tops, numbers, rows)
    numpy.minimum.at(lefts, numbers, columns)
    numpy.maximum.at(bottoms, numbers, rows + 1)
    numpy.maximum.at(rights, numbers, columns + 1)
    return list(zip(tops, lefts, bottoms, rights, strict=True))


def _near(main, boxes, candidates):
    """main, and the candidates reached from it one near region at a time: each within a
    third of main's size of the box of those already kept."""
    top, left, bottom, right = boxes[main]
    reach = max(bottom - top, right - left) / 3
    kept, added = [main], True
    while added:
        added = False
        for index in candidates:
            if index in kept:
                continue
            other_top, other_left, other_bottom, other_right = boxes[index]
            gap = max(
                other_top - bottom, top - other_bottom, other_left - right, left - other_right
            )
            if gap <= reach:
                kept.append(index)
                top, left = min(top, other_top), min(left, other_left)
                bottom, right = max(bottom, other_bottom), max(right, other_right)
                added = True
    return kept


def with_soft_edges(ink, strokes):
    """The ink of the strokes and of their soft edges: within a pixel of a stroke, what is
    stronger than EDGE_LEVEL, rescaled so that EDGE_LEVEL is 0 and the strongest 1."""
    padded = numpy.pad(strokes, 1)
    height, width = strokes.shape
    near = numpy.zeros_like(strokes)
    for row in range(3):
        for column in range(3):
            near |= padded[row : row + height, column : column + width]
    return numpy.where(near, numpy.clip((ink - EDGE_LEVEL) / (1 - EDGE_LEVEL), 0, 1), 0)


def thickened(ink):
    """ink whose strokes are at least THINNEST of the digit's size wide, as MNIST's are: a
    ballpoint's line on a large digit is far thinner, and fitted into 20x20 pixels it
    would fade to a trace MNIST never showed the model. Each stroke is widened evenly
    (each pixel the strongest ink near it); a stroke wide enough is left as it is."""
    strokes = ink >= 0.5
    rows, columns = numpy.nonzero(strokes)
    if not len(rows):
        return ink
    side = max(numpy.ptp(rows), numpy.ptp(columns)) + 1
    padded = numpy.pad(strokes, 1).astype(numpy.int8)
    sides = numpy.count_nonzero(numpy.diff(padded, axis=0)) + numpy.count_nonzero(
        numpy.diff(padded, axis=1)
    )
    width = 2 * strokes.sum() / sides  # a stroke's area over its length, half its outline
    wider = round(THINNEST * side - width)
    if wider < 1:
        return ink
    ink = numpy.pad(ink, wider)  # room to grow at the picture's edges
    return _sliding_max(_sliding_max(ink, wider + 1, 0), wider + 1, 1)


# MNIST's steps ------------------------------------------------------------------------


def cropped(ink):
    """The smallest rectangle of `ink` that holds all of it."""
    rows, columns = numpy.nonzero(ink)
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def fitted(ink):
    """ink resized, keeping its shape, so that its longer side is BOX pixels: each new pixel
    the average of the old ones it covers, as a scanner's would be."""
    height, width = ink.shape
    scale = BOX / max(height, width)
    size = max(1, round(height * scale)), max(1, round(width * scale))
    return _area_weights(height, size[0]) @ ink @ _area_weights(width, size[1]).T


def _area_weights(old, new):
    """Weights [new, old]: how much of each old pixel each new pixel covers, in shares."""
    old_edges = numpy.arange(old + 1)
    new_edges = numpy.linspace(0, old, new + 1)
    overlap = numpy.minimum(new_edges[1:, None], old_edges[None, 1:]) - numpy.maximum(
        new_edges[:-1, None], old_edges[None, :-1]
    )
    overlap = numpy.clip(overlap, 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def centred(ink):
    """ink placed in SIZE x SIZE so that its centre of mass is at the centre, as MNIST's."""
    height, width = ink.shape
    rows, columns = numpy.indices(ink.shape)
    total = ink.sum()
    centre = (rows * ink).sum() / total, (columns * ink).sum() / total
    top = int(numpy.clip(round(SIZE / 2 - centre[0]), 0, SIZE - height))
    left = int(numpy.clip(round(SIZE / 2 - centre[1]), 0, SIZE - width))
    digit = numpy.zeros((SIZE, SIZE))
    digit[top : top + height, left : left + width] = ink
    return digit
