"""The pictures the project draws, as PNG bytes, each readable without the README: labelled,
with its key. Drawn with Pillow, imported only when a picture is drawn (the tutorial itself
needs only TensorFlow and NumPy).

- weights_png: the tutorial's picture of the learned weights, one 28x28 tile per digit with
  the digit under it, blue where a pixel counts for the digit and red where it counts
  against it, and a key to the colours.
- evidence_png: the same colours for one digit's evidence in one image, x_j * W_ji.
- digits_png: digits as the tutorial shows them, dark ink on white, in a row.
- seen_png: what classify.py's model saw, each tile with its file name and what was read.
- mistakes_png: the test digits read wrong, laid out as the confusion matrix: a row for
  each true digit, a column for each digit read, the counts, and the share read right.

save() writes a picture through safe_files.save_file: nothing is ever half-written.
"""

import io
import os

import numpy

import safe_files

ENLARGE = 4  # each of a tile's 28x28 pixels, as a square of this many screen pixels
TILE = 28 * ENLARGE
GAP = ENLARGE  # between tiles
GAP_GREY = 208  # the thin lines between tiles, so that white tile borders stay apart
TEXT = (40, 40, 40)
CAPTION_HEIGHT = 22  # a line of text under a tile
MISTAKE_TILE = 56  # a cell of the mistakes picture: 28x28 pixels, each 2x2
MISTAKE_STEP = MISTAKE_TILE + 2
MISTAKES_LEFT = 64  # the mistakes picture's grid starts here: its labels are above and left
MISTAKES_TOP = 64


def save(path, png):
    """Write PNG bytes to path, as every file here is written (safe_files.save_file). A
    symbolic link is written through: the file it points to gets the picture."""
    safe_files.save_file(os.path.realpath(path), png, what='the picture')


def write_weights(path, weights):
    """--weights_image: the weights picture (weights_png) saved at path; nothing when path
    is None (the flag not given)."""
    if path:
        save(path, weights_png(weights))


def colours(values, largest):
    """RGB uint8 [..., 3] of values in the tutorial's colours: white for 0, fading to full
    blue at +largest and full red at -largest (one scale for both signs)."""
    strength = values / largest if largest > 0 else numpy.zeros_like(values, dtype=float)
    strength = numpy.clip(strength, -1, 1)
    fade = numpy.rint(255 * (1 - numpy.abs(strength))).astype(numpy.uint8)
    red = numpy.where(strength < 0, 255, fade).astype(numpy.uint8)
    blue = numpy.where(strength > 0, 255, fade).astype(numpy.uint8)
    return numpy.stack([red, fade, blue], axis=-1)


def ink_greys(images):
    """RGB uint8 [N, 784, 3] of images [N, 784] with pixels in [0, 1]: dark ink on white."""
    grey = numpy.rint(255 * (1 - numpy.asarray(images, dtype=numpy.float64))).astype(numpy.uint8)
    return numpy.stack([grey] * 3, axis=-1)


def weights_png(weights):
    """PNG bytes of the ten columns of weights [784, 10] as tiles in a row, each with its
    digit under it, and a key: the largest |weight| full blue (if positive) or full red (if
    negative), 0 white."""
    weights = numpy.asarray(weights, dtype=numpy.float64)
    if weights.shape != (784, 10):
        raise ValueError('weights must have shape (784, 10), not %s' % (weights.shape,))
    largest = numpy.abs(weights).max()
    tiles = colours(weights.T, largest)  # [10, 784, 3]
    picture, draw = _tiles(tiles, ['%d' % digit for digit in range(10)], extra_height=56)
    _colour_key(draw, picture.width, TILE + CAPTION_HEIGHT + 10, largest)
    return _png(picture)


def evidence_png(evidence, largest):
    """PNG bytes, 28x28, of one digit's evidence in one image (x_j * W_ji for each pixel j,
    [784]) in the tutorial's colours, on the scale of `largest`."""
    from PIL import Image

    rgb = colours(numpy.asarray(evidence, dtype=numpy.float64), largest).reshape(28, 28, 3)
    return _png(Image.fromarray(rgb, 'RGB'))


def digits_png(images):
    """PNG bytes of images [N, 784] (pixels in [0, 1]) as tiles in a row, dark ink on white,
    as the tutorial shows the digits."""
    images = numpy.asarray(images, dtype=numpy.float64).reshape(-1, 784)
    picture, _ = _tiles(ink_greys(images), None)
    return _png(picture)


def seen_png(seen):
    """PNG bytes of what the model saw: seen [(name, image [28, 28], (digit, probability))],
    each a tile with its name, shortened to fit, and what the model read under it."""
    images = numpy.array([image.reshape(784) for _, image, _ in seen])
    captions = [
        (name, '%d (%.0f%%)' % (digit, 100 * probability)) for name, _, (digit, probability) in seen
    ]
    picture, _ = _tiles(ink_greys(images), captions)
    return _png(picture)


def mistakes_png(images, true, predicted, counts):
    """PNG bytes of a 10x10 grid laid out as the confusion matrix counts[t, p]: in row t
    (the true digit) and column p (the digit read), the first test digit t that the model
    read as p, and how many it read so; on the diagonal, where it was right, the count and
    the share of that digit read right. Labelled, with the share read right in all."""
    from PIL import Image, ImageDraw

    size = MISTAKES_LEFT + 10 * MISTAKE_STEP + 4
    picture = Image.new('RGB', (size, MISTAKES_TOP + 10 * MISTAKE_STEP + 4), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    right = numpy.trace(counts)
    # The share as the script prints the accuracy (0.9195: 91.95%), not rounded again.
    shares = '%d of %d test digits read right (%.2f%%).' % (
        right,
        counts.sum(),
        100 * right / counts.sum(),
    )
    draw.text((MISTAKES_LEFT, 4), shares, fill=TEXT, font=_font(13))
    off_the_diagonal = 'Off the diagonal: the first one read so, and how many.'
    draw.text((MISTAKES_LEFT, 22), off_the_diagonal, fill=TEXT, font=_font(13))
    draw.text((MISTAKES_LEFT - 6, 52), 'read as', fill=TEXT, font=_font(13), anchor='rm')
    _true_digit_label(picture)
    for digit in range(10):
        middle = MISTAKES_LEFT + digit * MISTAKE_STEP + MISTAKE_TILE // 2
        draw.text((middle, 52), str(digit), fill=TEXT, font=_font(14), anchor='mm')
        middle = MISTAKES_TOP + digit * MISTAKE_STEP + MISTAKE_TILE // 2
        draw.text((MISTAKES_LEFT - 12, middle), str(digit), fill=TEXT, font=_font(14), anchor='mm')
        for read in range(10):
            _mistake_cell(picture, draw, images, true, predicted, counts, digit, read)
    return _png(picture)


def _mistake_cell(picture, draw, images, true, predicted, counts, digit, read):
    from PIL import Image

    left = MISTAKES_LEFT + read * MISTAKE_STEP
    top = MISTAKES_TOP + digit * MISTAKE_STEP
    count = counts[digit, read]
    if digit == read:
        draw.rectangle(
            [left, top, left + MISTAKE_TILE - 1, top + MISTAKE_TILE - 1], fill=(200,) * 3
        )
        middle = left + MISTAKE_TILE // 2
        draw.text((middle, top + 18), str(count), fill=TEXT, font=_font(14), anchor='mm')
        share = count / max(1, counts[digit].sum())
        draw.text(
            (middle, top + 38), '%.0f%%' % (100 * share), fill=TEXT, font=_font(12), anchor='mm'
        )
        return
    draw.rectangle([left, top, left + MISTAKE_TILE - 1, top + MISTAKE_TILE - 1], outline=(230,) * 3)
    wrong = numpy.flatnonzero((true == digit) & (predicted == read))
    if not len(wrong):
        return
    pixels = ink_greys(numpy.asarray(images[wrong[0]]).reshape(1, 784))[0].reshape(28, 28, 3)
    tile = Image.fromarray(pixels, 'RGB').resize((MISTAKE_TILE, MISTAKE_TILE), Image.NEAREST)
    picture.paste(tile, (left, top))
    draw.text(
        (left + MISTAKE_TILE - 2, top + MISTAKE_TILE - 1),
        str(count),
        fill=(200, 0, 0),
        font=_font(12),
        anchor='rd',
    )


def _true_digit_label(picture):
    """'true digit', written upwards beside the rows."""
    from PIL import Image, ImageDraw

    label = Image.new('RGB', (120, 18), (255, 255, 255))
    ImageDraw.Draw(label).text((0, 0), 'true digit', fill=TEXT, font=_font(13))
    picture.paste(label.rotate(90, expand=True), (4, MISTAKES_TOP + 4 * MISTAKE_STEP))


def _tiles(tiles, captions, extra_height=0):
    """(picture, its ImageDraw) of tiles [N, 784, 3] (RGB), each 28x28 pixels enlarged, in a
    row, with a caption under each: a line of text, or (name, text) for two lines, the name
    shortened to fit its tile. No captions: the tiles alone."""
    from PIL import Image, ImageDraw

    lines = 0 if captions is None else max(1 + isinstance(caption, tuple) for caption in captions)
    width = len(tiles) * TILE + (len(tiles) - 1) * GAP
    height = TILE + lines * CAPTION_HEIGHT + extra_height
    picture = Image.new('RGB', (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    for index, pixels in enumerate(tiles):
        left = index * (TILE + GAP)
        if index:
            draw.rectangle([left - GAP, 0, left - 1, TILE - 1], fill=(GAP_GREY,) * 3)
        tile = Image.fromarray(numpy.ascontiguousarray(pixels.reshape(28, 28, 3)), 'RGB')
        picture.paste(tile.resize((TILE, TILE), Image.NEAREST), (left, 0))
        texts = [] if captions is None else captions[index]
        for line, text in enumerate((texts,) if isinstance(texts, str) else texts):
            text = _shortened(draw, text, TILE)
            top = TILE + 3 + line * CAPTION_HEIGHT
            draw.text((left + TILE // 2, top), text, fill=TEXT, font=_font(14), anchor='ma')
    return picture, draw


def _shortened(draw, text, width):
    """text, or as much of its start and end as fits in width pixels, with '…' between."""
    font = _font(14)
    if draw.textlength(text, font=font) <= width:
        return text
    keep = len(text)
    while keep > 2:
        keep -= 1
        short = text[: (keep + 1) // 2] + '…' + text[len(text) - keep // 2 :]
        if draw.textlength(short, font=font) <= width:
            return short
    return '…'


def _colour_key(draw, width, top, largest):
    """A bar from full red through white to full blue, labelled, centred at `top`."""
    bar = 240
    left = (width - bar) // 2
    for step in range(bar):
        value = (step / (bar - 1) * 2 - 1) * largest
        colour = tuple(int(channel) for channel in colours(numpy.array([value]), largest)[0])
        draw.line([left + step, top, left + step, top + 12], fill=colour)
    draw.rectangle([left, top, left + bar - 1, top + 12], outline=(160,) * 3)
    font = _font(13)
    draw.text(
        (left - 8, top + 6),
        'red: the pixel counts against the digit (%.2f)' % -largest,
        fill=TEXT,
        font=font,
        anchor='rm',
    )
    draw.text(
        (left + bar + 8, top + 6),
        'blue: it counts for the digit (+%.2f)' % largest,
        fill=TEXT,
        font=font,
        anchor='lm',
    )
    draw.text((left + bar // 2, top + 16), 'white: 0, no effect', fill=TEXT, font=font, anchor='ma')


def _font(size):
    """Pillow's own font at this size (a scalable one since Pillow 10.1): no font file needed."""
    from PIL import ImageFont

    return ImageFont.load_default(size)


def _png(picture):
    out = io.BytesIO()
    picture.save(out, 'PNG', optimize=True)
    return out.getvalue()
