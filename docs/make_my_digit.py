"""Draws my_digit.jpg, the example photo the README and the notebooks read: a 3 written with
a pen on paper, photographed by a phone held a little askew, in uneven light. Nothing in it
comes from MNIST, so it is read as a learner's own digit is.

    python docs/make_my_digit.py    # writes my_digit.jpg beside the scripts

NumPy and Pillow only; the same picture at every run (its randomness is seeded).
"""

import os

import numpy
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH, HEIGHT, SUPER = 600, 800, 3  # the photo, and the finer grid the stroke is drawn on
PAPER = numpy.array([236, 231, 218], float)
INK = numpy.array([28, 34, 74], float)  # a blue-black ballpoint


def bezier(points, count):
    """count points along the cubic Bezier curve of four control points."""
    t = numpy.linspace(0, 1, count)[:, None]
    p0, p1, p2, p3 = (numpy.array(point, float) for point in points)
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def stroke_mask(random):
    """How much ink covers each pixel, in [0, 1]: a 3 in two arcs, drawn in one stroke
    whose width follows the pen's pressure."""
    arcs = [
        [(210, 250), (300, 150), (470, 190), (400, 340)],
        [(400, 340), (370, 390), (330, 400), (300, 405)],
        [(300, 405), (480, 420), (500, 600), (330, 640)],
        [(330, 640), (250, 660), (200, 620), (190, 590)],
    ]
    path = numpy.concatenate([bezier(arc, 400) for arc in arcs]) * SUPER
    pressure = 0.75 + 0.25 * numpy.sin(numpy.linspace(0, 3 * numpy.pi, len(path)))
    radius = 6.5 * SUPER * pressure * (1 + 0.05 * random.normal(size=len(path)))
    mask = numpy.zeros((HEIGHT * SUPER, WIDTH * SUPER), numpy.float32)
    rows, columns = numpy.mgrid[-30:31, -30:31]
    for (x, y), r in zip(path, radius, strict=True):
        disc = (rows**2 + columns**2 <= r**2).astype(numpy.float32)
        top, left = int(y) - 30, int(x) - 30
        window = mask[top : top + 61, left : left + 61]
        numpy.maximum(window, disc, out=window)
    small = Image.fromarray(mask).resize((WIDTH, HEIGHT), Image.Resampling.BOX)
    return numpy.asarray(small, float) * (0.85 + 0.15 * random.rand(HEIGHT, WIDTH))


def paper_texture(random):
    """The paper's grain and fibres, as shares of its colour."""
    fibres = Image.fromarray((random.rand(HEIGHT // 4, WIDTH // 4) * 255).astype(numpy.uint8))
    fibres = fibres.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    fibres = fibres.filter(ImageFilter.GaussianBlur(2))
    fibres = (numpy.asarray(fibres, float) / 255 - 0.5) * 0.04
    return 1 + fibres + random.normal(0, 0.012, (HEIGHT, WIDTH))


def lighting():
    """A lamp to the upper left, and the soft shadow of the phone across the lower right."""
    rows, columns = numpy.mgrid[0:HEIGHT, 0:WIDTH] / max(WIDTH, HEIGHT)
    lamp = 1.0 - 0.22 * numpy.hypot(rows - 0.05, columns - 0.1)
    across = (columns * 0.8 + rows * 0.6) - 0.95
    shadow = 1 - 0.28 / (1 + numpy.exp(-across / 0.05))
    return lamp * shadow


def main():
    random = numpy.random.RandomState(3)
    ink = stroke_mask(random)[..., None]
    colour = PAPER * paper_texture(random)[..., None] * (1 - ink) + INK * ink
    rgb = colour * lighting()[..., None] + random.normal(0, 2.5, (HEIGHT, WIDTH, 3))
    photo = Image.fromarray(numpy.clip(rgb, 0, 255).astype(numpy.uint8))
    photo = photo.rotate(-2.5, resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 95))
    photo.save(os.path.join(HERE, 'my_digit.jpg'), 'JPEG', quality=86)


if __name__ == '__main__':
    main()
