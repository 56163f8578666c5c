"""digit_picture.py: each step on tiny pictures the tests draw, the formats and bounds of
decoding, and photos of real MNIST digits with a shadow, on ruled paper, turned, as WebP."""
import collections
import os
import re

import numpy
import pytest
from PIL import Image

import digit_picture
from conftest import encoded, mnist_test_digits, photo, png_header_only


def similar(first, second):
    """Whether two prepared digits [28, 28] show the same strokes: a correlation of 0.9 or
    more, with one shifted by a pixel at most (centring by the centre of mass rounds)."""
    shifts = [numpy.roll(second, (rows, columns), axis=(0, 1)) for rows in (-1, 0, 1) for columns in (-1, 0, 1)]
    return max(numpy.corrcoef(first.ravel(), shifted.ravel())[0, 1] for shifted in shifts) >= 0.9


@pytest.fixture(scope='module')
def seven():
    """MNIST's first test digit, a 7, photographed, and as prepare() makes the photo."""
    digit = mnist_test_digits()[0][0]
    plain = encoded(photo(digit), 'PNG')
    return digit, digit_picture.prepare_bytes(plain)


# The steps, on tiny pictures --------------------------------------------------------------

def test_transparency_is_laid_on_white_and_colour_made_grey():
    rgba = Image.fromarray(numpy.array([[[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128]]], numpy.uint8))
    numpy.testing.assert_allclose(digit_picture.grey(rgba), [[0.299, 1.0, 1 - 128 / 255]], atol=1e-6)
    grey_alpha = Image.fromarray(numpy.array([[[0, 255], [0, 0]]], numpy.uint8), 'LA')
    numpy.testing.assert_allclose(digit_picture.grey(grey_alpha), [[0.0, 1.0]])


def test_sixteen_bit_grey_is_read_as_sixteen_bit():
    levels = numpy.array([[0, 32768, 65535]], numpy.uint16)
    numpy.testing.assert_allclose(digit_picture.grey(Image.fromarray(levels)), [[0, 32768 / 65535, 1]], atol=1e-6)


def test_a_large_picture_is_reduced_by_averaging(monkeypatch):
    monkeypatch.setattr(digit_picture, 'WORKING_SIDE', 4)
    checks = numpy.indices((8, 16)).sum(axis=0) % 2 * 255  # a fine checkerboard: average 0.5
    reduced = digit_picture.grey(Image.fromarray(checks.astype(numpy.uint8)))
    assert reduced.shape == (2, 4)  # the longer side 4, the shape kept
    numpy.testing.assert_allclose(reduced, 0.5, atol=0.005)


def shaded_page(size=(120, 160)):
    """Paper at 0.9 whose right half lies in a shadow at 0.45 (half as much light), with a
    dark stroke in the light and one in the shadow, each ink at a fifth of its paper."""
    page = numpy.full(size, 0.9)
    page[:, 80:] = 0.45
    page[20:100, 30:36] *= 0.2
    page[20:100, 120:126] *= 0.2
    return page


def test_which_is_darker_the_ink_or_the_paper_whatever_the_light():
    page = shaded_page()
    assert digit_picture.ink_is_darker(page)
    assert not digit_picture.ink_is_darker(1 - page)  # chalk on a blackboard, MNIST's own
    thick = numpy.full((100, 100), 0.9)
    thick[10:90, 30:70] = 0.1  # a stroke as wide as 40% of the picture
    assert digit_picture.ink_is_darker(thick)


def test_the_papers_own_level_is_taken_away_before_the_ink_is_found():
    # In the shadow, paper (0.45) is darker than the light's ink would be relative to a
    # level for the whole page; against its own level it is paper, and its stroke ink.
    ink = digit_picture.ink_of(shaded_page())
    for stroke in (ink[30:90, 31:35], ink[30:90, 121:125]):
        assert stroke.min() > 0.9
    assert ink[:, 40:70].max() < 0.1 and ink[:, 90:115].max() < 0.1  # both papers
    light_on_dark = digit_picture.ink_of(1 - shaded_page())
    assert light_on_dark[30:90, 121:125].min() > 0.9 and light_on_dark[:, 90:115].max() < 0.1


@pytest.mark.parametrize('page', ['uniform', 'faint gradient', 'grain', 'shadow'])
def test_a_blank_page_has_no_ink(page):
    rows, columns = numpy.mgrid[0:120, 0:160]
    pages = {
        'uniform': numpy.full((120, 160), 0.8),
        'faint gradient': 0.6 + 0.3 * columns / 160,
        'grain': numpy.clip(0.85 + numpy.random.RandomState(0).normal(0, 0.015, (120, 160)), 0, 1),
        'shadow': numpy.where(columns < 90, 0.9, 0.5),
    }
    with pytest.raises(digit_picture.ImageError, match='no ink found on it: a blank page'):
        digit_picture.ink_of(pages[page])


def ruled_strokes(size=200, tilt=0.03):
    """A mask [size, size]: rules 2 pixels thick every 20, a little askew, crossed by a
    vertical stroke 6 pixels wide (a 1), and a broad band of ink (a thick stroke)."""
    rows, columns = numpy.mgrid[0:size, 0:size]
    rules = (rows - tilt * columns) % 20 < 2
    stroke = (columns >= 90) & (columns < 96) & (rows > 30) & (rows < 170)
    band = (rows >= 100) & (rows < 130) & (columns < 150)
    return rules, stroke, band


def test_the_rules_of_ruled_paper_are_taken_out_and_the_strokes_across_them_kept():
    rules, stroke, band = ruled_strokes()
    kept = digit_picture.without_rules(rules | stroke | band)
    assert kept[stroke].all()  # whole, where it crosses the rules too
    assert kept[band].all()  # a band 30 thick is no rule
    beside_the_band = numpy.zeros_like(band)
    beside_the_band[95:135] = True  # where rules and band make one broad band of ink
    assert not kept[rules & ~stroke & ~beside_the_band].any()
    squared = rules | rules.T  # squared paper: rules across and down
    left = digit_picture.without_rules(squared | stroke) & ~stroke
    labels, count = digit_picture.components(left)
    assert numpy.bincount(labels.ravel())[1:].max() <= 16  # where rules cross, dots: specks


def test_a_small_picture_has_no_rules():
    rules, _, _ = ruled_strokes(size=60)
    assert (digit_picture.without_rules(rules) == rules).all()


def flood_fill_regions(mask):
    """An independent count of mask's 8-connected regions, and their sizes, by flood fill."""
    seen = numpy.zeros_like(mask)
    sizes = []
    for start in zip(*numpy.nonzero(mask), strict=True):
        if seen[start]:
            continue
        queue, size = collections.deque([start]), 0
        seen[start] = True
        while queue:
            row, column = queue.popleft()
            size += 1
            for neighbour in ((row + dr, column + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
                if (0 <= neighbour[0] < mask.shape[0] and 0 <= neighbour[1] < mask.shape[1]
                        and mask[neighbour] and not seen[neighbour]):
                    seen[neighbour] = True
                    queue.append(neighbour)
        sizes.append(size)
    return sorted(sizes)


def test_the_connected_regions_are_those_a_flood_fill_finds():
    random = numpy.random.RandomState(0)
    for _ in range(100):
        mask = random.rand(random.randint(1, 25), random.randint(1, 25)) < random.rand()
        labels, count = digit_picture.components(mask)
        assert sorted(numpy.bincount(labels[mask], minlength=count + 1)[1:]) == flood_fill_regions(mask)
        assert ((labels > 0) == mask).all()
    diagonal = numpy.eye(5, dtype=bool)  # corner to corner is connected
    assert digit_picture.components(diagonal)[1] == 1


def test_the_digit_is_kept_and_specks_and_a_pages_edge_dropped():
    strokes = numpy.zeros((100, 100), bool)
    strokes[20:70, 40:46] = True  # the digit's long stroke
    strokes[20:26, 49:70] = True  # ...and a second stroke of it, apart: a 5's top bar
    strokes[85:87, 10:12] = True  # a speck of dirt
    strokes[:, 95:] = True  # the edge of the page, along the picture's edge
    kept = digit_picture.digit_only(strokes)
    expected = numpy.zeros_like(strokes)
    expected[20:70, 40:46] = True
    expected[20:26, 49:70] = True
    assert (kept == expected).all()


def test_far_from_the_digit_another_blot_is_dropped():
    strokes = numpy.zeros((100, 100), bool)
    strokes[10:60, 10:16] = True
    strokes[80:90, 80:90] = True  # large enough, but far away
    assert (digit_picture.digit_only(strokes) == (numpy.indices((100, 100))[1] < 16) & strokes).all()


def test_the_strokes_keep_their_soft_edges():
    ink = numpy.array([[0.0, 0.1, 0.6, 1.0, 0.6, 0.1, 0.3]])
    strokes = ink >= digit_picture.STROKE_LEVEL
    strokes[0, 2] = strokes[0, 4] = False  # only the middle is a stroke
    soft = digit_picture.with_soft_edges(ink, strokes)
    level = digit_picture.EDGE_LEVEL
    numpy.testing.assert_allclose(soft, [[0, 0, (0.6 - level) / (1 - level), 1, (0.6 - level) / (1 - level), 0, 0]])


def test_cropped_fitted_into_20_and_centred_by_its_centre_of_mass():
    ink = numpy.zeros((50, 50))
    ink[10:40, 20:25] = 1  # a bar 30 high and 5 wide
    box = digit_picture.cropped(ink)
    assert box.shape == (30, 5)
    fitted = digit_picture.fitted(box)
    assert fitted.shape == (20, 3)  # the longer side 20, the shape kept
    digit = digit_picture.centred(fitted)
    rows, columns = numpy.indices(digit.shape)
    centre = (rows * digit).sum() / digit.sum(), (columns * digit).sum() / digit.sum()
    assert digit.shape == (28, 28) and abs(centre[0] - 14) <= 0.5 and abs(centre[1] - 14) <= 0.5


# Photos as phones take them -------------------------------------------------------------

def test_a_shadow_across_the_page_is_no_ink(seven):
    digit, plain = seven
    # The shadow's edge crosses the sheet beside the 7: half the sheet in 45% less light.
    shadowed = encoded(photo(digit, shadow=(0.3, 40, 0.45)), 'JPEG', quality=90)
    assert similar(digit_picture.prepare_bytes(shadowed), plain)


def test_a_digit_on_ruled_paper_is_read_without_the_rules(seven):
    digit, plain = seven
    ruled = encoded(photo(digit, ruled=(26, 0.02, 1.0)), 'JPEG', quality=90)  # dark rules
    assert similar(digit_picture.prepare_bytes(ruled), plain)


def test_a_portrait_photo_stored_sideways_is_turned_upright(seven, tmp_path):
    # Phones store a portrait photo as the sensor saw it, sideways, with an EXIF
    # Orientation tag (6: turn it 90 degrees clockwise to view it).
    digit, plain = seven
    sideways = Image.fromarray(photo(digit)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / 'portrait.jpg'
    path.write_bytes(encoded(sideways, 'JPEG', quality=90, exif=exif.tobytes()))
    assert similar(digit_picture.prepare_file(str(path)), plain)


@pytest.mark.parametrize('form', ['WEBP', 'HEIF', 'TIFF'])
def test_what_phones_and_scanners_save_is_read(seven, form):
    if form == 'HEIF':
        pytest.importorskip('pillow_heif').register_heif_opener()
    digit, plain = seven
    assert similar(digit_picture.prepare_bytes(encoded(photo(digit), form)), plain)


def picture_kinds(digit):
    """{kind: file bytes} of one MNIST digit [28, 28] (ink 255) in the kinds of file that
    Pillow's modes differ for: palettes, one bit, sixteen bits, CMYK, transparency."""
    dark_on_white = (255 - digit).astype(numpy.uint8)
    grey = Image.fromarray(dark_on_white)
    transparent_gif = Image.fromarray(numpy.where(digit > 127, 1, 0).astype(numpy.uint8), 'P')
    transparent_gif.putpalette([0, 0, 0, 20, 20, 20])  # ink index 1; index 0, its paper, see-through
    return {
        'palette BMP': encoded(grey.convert('RGB').quantize(16), 'BMP'),
        'one-bit BMP': encoded(grey.point(lambda level: 255 if level > 127 else 0).convert('1'), 'BMP'),
        'transparent GIF': encoded(transparent_gif, 'GIF', transparency=0),
        'sixteen-bit PNG': encoded(Image.fromarray(dark_on_white.astype(numpy.uint16) * 257), 'PNG'),
        'CMYK JPEG': encoded(grey.convert('CMYK'), 'JPEG', quality=95),
        'CMYK TIFF': encoded(grey.convert('CMYK'), 'TIFF'),
        'grey and alpha PNG': encoded(Image.fromarray(numpy.stack([numpy.zeros_like(digit), digit], axis=-1), 'LA'), 'PNG'),
    }


@pytest.mark.parametrize('kind', list(picture_kinds(numpy.zeros((28, 28), numpy.uint8))))
def test_every_kind_of_picture_file_reads_as_the_same_digit(kind):
    digit = mnist_test_digits()[0][0]
    png = digit_picture.prepare_bytes(encoded(Image.fromarray((255 - digit).astype(numpy.uint8)), 'PNG'))
    assert similar(digit_picture.prepare_bytes(picture_kinds(digit)[kind]), png)


# Files that are no pictures of digits, and bounds ------------------------------------------

@pytest.mark.parametrize('width, height, how_many', [
    (10000, 8000, '10000x8000'),
    (23000, 23000, 'over 178 million'),  # 569 kB of PNG would decode to 529 million
])
def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded(width, height, how_many):
    with pytest.raises(digit_picture.ImageError) as caught:
        digit_picture.prepare_bytes(png_header_only(width, height))
    assert str(caught.value) == (
        'it has %s pixels, more than the 50 million read here: save it smaller '
        '(a phone at 12 megapixels, or any picture editor)' % how_many)


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / 'huge.png'
    with open(huge, 'wb') as out:
        out.truncate(12 * 10 ** 9)  # 12 GB, sparse: reading it would take minutes and memory
    with pytest.raises(digit_picture.ImageError, match='the file has 12000 MB, more than the 64 MB read here'):
        digit_picture.prepare_file(str(huge))


@pytest.mark.parametrize('data, reason', [
    (b'not a picture at all', 'not a picture: not PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC'),
    (png_header_only(30, 30)[:40], 'a broken PNG picture (it begins as one, then breaks off: cut short?)'),
    (b'\0\0\0\x18ftypheic\0\0\0\0mif1heic', None),
])
def test_a_file_that_is_no_picture_says_what_it_is(data, reason):
    with pytest.raises(digit_picture.ImageError) as caught:
        digit_picture.prepare_bytes(data)
    if reason is None:  # a HEIC Pillow cannot open: with the plugin, it is a broken one
        assert 'HEIC' in str(caught.value) or 'broken' in str(caught.value)
    else:
        assert str(caught.value).startswith(reason)


def test_a_fifo_or_a_folder_is_not_read(tmp_path):
    os.mkfifo(tmp_path / 'pipe.png')  # opening it to read would wait for ever
    for path, reason in ((tmp_path / 'pipe.png', 'it is a FIFO (named pipe), not a file'),
                         (tmp_path, 'it is a directory, not a file')):
        with pytest.raises(digit_picture.ImageError, match=re.escape(reason)):
            digit_picture.prepare_file(str(path))


def test_a_ballpoints_thin_line_is_widened_to_mnists_strokes():
    thin = numpy.zeros((120, 120))
    thin[10:110, 60] = 1.0  # a 1, 100 high, one pixel wide: 0.01 of its size
    widened = digit_picture.thickened(thin)
    rows = numpy.nonzero(widened[widened.shape[0] // 2] >= 0.5)[0]
    assert len(rows) >= 10  # a tenth of its size, as MNIST's thinnest strokes
    thick = numpy.zeros((120, 120))
    thick[10:110, 50:65] = 1.0  # already 0.15 of its size: left as it is
    assert (digit_picture.thickened(thick) == thick).all()
