"""pictures.py: each picture decoded by an independent reader (TensorFlow's PNG decoder), its
tiles' pixels checked against the numbers they show, its labels and key there; and saving."""
import os
import re

import numpy
import pytest

import mistakes
import pictures
import safe_files
from conftest import IN_THIS_PROCESS

pytestmark = IN_THIS_PROCESS

ENLARGE, TILE, GAP = pictures.ENLARGE, pictures.TILE, pictures.GAP


def decode(png):
    tf = pytest.importorskip('tensorflow')  # once imported, at once
    return tf.io.decode_png(png, channels=3).numpy()  # an independent PNG decoder


def tile(picture, index):
    left = index * (TILE + GAP)
    return picture[:TILE, left:left + TILE].astype(int)


def weight_index(row, column):
    """The row of W that the pixel (row, column) of a tile shows."""
    return (row // ENLARGE) * 28 + column // ENLARGE


def has_text(region):
    """Whether a region of a picture holds dark marks on white: text drawn there."""
    return (region.min(axis=-1) < 100).sum() >= 10


def assert_picture_shows(picture, weights):
    assert picture.shape[1] == 10 * TILE + 9 * GAP and picture.shape[0] > TILE + 40
    assert (picture[:TILE, TILE:TILE + GAP] == pictures.GAP_GREY).all()
    for digit in range(10):
        pixels = tile(picture, digit)
        blueness = pixels[..., 2] - pixels[..., 0]
        column = weights[:, digit]
        # The bluest pixels show the largest weight, the reddest the smallest.
        bluest = numpy.argwhere(blueness == blueness.max())
        assert column.max() in {column[weight_index(*place)] for place in bluest}
        reddest = numpy.argwhere(blueness == blueness.min())
        assert column.min() in {column[weight_index(*place)] for place in reddest}
        # Zero is white; and a positive weight is never red, a negative never blue.
        for row in range(0, TILE, ENLARGE):
            for col in range(0, TILE, ENLARGE):
                weight, colour = column[weight_index(row, col)], tuple(pixels[row, col])
                if weight == 0:
                    assert colour == (255, 255, 255)
                elif weight > 0:
                    assert colour[2] == 255 and colour[0] == colour[1]
                else:
                    assert colour[0] == 255 and colour[1] == colour[2]
        # Its digit under it.
        left = digit * (TILE + GAP)
        assert has_text(picture[TILE:TILE + pictures.CAPTION_HEIGHT, left:left + TILE])


def test_picture_of_made_up_weights():
    random = numpy.random.RandomState(0)
    weights = random.normal(size=(784, 10))
    weights[random.rand(784, 10) < 0.2] = 0
    weights[100, 3], weights[200, 3] = 9.0, -9.0  # one scale for all: tile 3 is the extreme
    picture = decode(pictures.weights_png(weights))
    assert_picture_shows(picture, weights)
    assert tuple(tile(picture, 3)[(100 // 28) * 4, (100 % 28) * 4]) == (0, 0, 255)
    assert tuple(tile(picture, 3)[(200 // 28) * 4, (200 % 28) * 4]) == (255, 0, 0)
    assert tile(picture, 0)[..., 2].min() > 0  # other tiles stay pale beside tile 3
    # The key: red at its left, blue at its right, white in the middle, and words beside it.
    key = picture[TILE + pictures.CAPTION_HEIGHT + 12]
    middle = picture.shape[1] // 2
    red, blue = key[middle - 115], key[middle + 115]
    assert red[0] == 255 and red[1:].max() < 15 and blue[2] == 255 and blue[:2].max() < 15
    assert tuple(key[middle]) in {(255, 255, 255), (254, 254, 255), (255, 254, 254)}
    assert has_text(picture[TILE + pictures.CAPTION_HEIGHT:, :middle - 130])
    assert has_text(picture[TILE + pictures.CAPTION_HEIGHT:, middle + 130:])


def test_one_scale_for_both_signs_set_by_the_largest_magnitude():
    # The most negative weight is four times the most positive: it is full red, and the
    # positive one a quarter blue. A scale taken from max(w) alone would not tell them.
    weights = numpy.zeros((784, 10))
    weights[0, 0], weights[1, 0] = 1.0, -4.0
    picture = decode(pictures.weights_png(weights))
    assert tuple(tile(picture, 0)[0, 0]) == (191, 191, 255)  # 255 * (1 - 1/4) = 191.25
    assert tuple(tile(picture, 0)[0, ENLARGE]) == (255, 0, 0)
    assert tuple(tile(picture, 0)[0, 2 * ENLARGE]) == (255, 255, 255)  # 0 is white


def test_evidence_in_the_same_colours_clipped_at_its_scale():
    evidence = numpy.zeros(784)
    evidence[0], evidence[1], evidence[2] = 0.5, -2.0, 1.0
    picture = decode(pictures.evidence_png(evidence, largest=1.0))
    assert picture.shape == (28, 28, 3)
    assert tuple(picture[0, 0]) == (128, 128, 255)  # half blue: 255 * 0.5 rounds to even
    assert tuple(picture[0, 1]) == (255, 0, 0)  # beyond the scale: full red
    assert tuple(picture[0, 2]) == (0, 0, 255) and tuple(picture[0, 3]) == (255, 255, 255)


def test_picture_of_digits_is_dark_ink_on_white():
    images = numpy.zeros((3, 784))
    images[1, 28 * 5 + 7] = 1.0  # digit 1, row 5, column 7: full ink
    images[2, :] = 0.5
    picture = decode(pictures.digits_png(images))
    assert picture.shape == (TILE, 3 * TILE + 2 * GAP, 3)
    assert (tile(picture, 0) == 255).all()  # no ink: white
    assert tuple(tile(picture, 1)[5 * ENLARGE, 7 * ENLARGE]) == (0, 0, 0)
    assert tuple(tile(picture, 1)[5 * ENLARGE, 8 * ENLARGE]) == (255, 255, 255)
    assert (tile(picture, 2) == 128).all()  # 255 * (1 - 0.5), rounded to even


def test_what_the_model_saw_is_captioned_with_the_name_and_the_reading():
    digits = [numpy.eye(28), numpy.zeros((28, 28))]
    picture = decode(pictures.seen_png([('a_very_long_file_name_from_a_phone.jpg', digits[0], (7, 0.97)),
                                        ('two.png', digits[1], (2, 0.52))]))
    assert picture.shape == (TILE + 2 * pictures.CAPTION_HEIGHT, 2 * TILE + GAP, 3)
    assert tuple(tile(picture, 0)[0, 0]) == (0, 0, 0) and (tile(picture, 1) == 255).all()
    for index in range(2):  # a name, then what was read, under each tile
        left = index * (TILE + GAP)
        for line in range(2):
            top = TILE + line * pictures.CAPTION_HEIGHT
            assert has_text(picture[top:top + pictures.CAPTION_HEIGHT, left:left + TILE])
    # The long name is shortened to its tile: nothing is drawn in the gap between tiles.
    assert (picture[TILE:, TILE:TILE + GAP] == 255).all()


def test_a_long_name_keeps_its_start_and_its_end():
    from PIL import Image, ImageDraw
    draw = ImageDraw.Draw(Image.new('RGB', (10, 10)))
    short = pictures._shortened(draw, 'a_very_long_file_name_from_a_phone.jpg', TILE)
    assert short.startswith('a_very') and short.endswith('.jpg') and '…' in short
    assert draw.textlength(short, font=pictures._font(14)) <= TILE
    assert pictures._shortened(draw, 'two.png', TILE) == 'two.png'


def test_the_mistakes_laid_out_as_the_confusion_matrix_rows_true_columns_read():
    # An example that is not symmetric: a 1 read as 7 twice, a 7 never read as 1, a 2 right.
    images = numpy.zeros((4, 784))
    images[0, 100], images[1, 101], images[2, 200], images[3, 300] = 1.0, 1.0, 1.0, 1.0
    true, predicted = numpy.array([1, 1, 2, 7]), numpy.array([7, 7, 2, 7])
    counts = mistakes.confusion(true, predicted)
    picture = decode(pictures.mistakes_png(images, true, predicted, counts))
    step, cell_size = pictures.MISTAKE_STEP, pictures.MISTAKE_TILE

    def cell(row, column):
        top, left = pictures.MISTAKES_TOP + row * step, pictures.MISTAKES_LEFT + column * step
        return picture[top:top + cell_size, left:left + cell_size]
    # Row 1 (true 1), column 7 (read 7): the first such 1's ink, pixel 100, and its count.
    ink = cell(1, 7)[100 // 28 * 2:100 // 28 * 2 + 2, 100 % 28 * 2:100 % 28 * 2 + 2]
    assert (ink == 0).all()
    assert (cell(1, 7)[..., 0] > cell(1, 7)[..., 1] + 100).any()  # its count, in red
    assert (cell(7, 1) > 200).all()  # no 7 read as 1: white but for its frame
    assert (cell(2, 2)[..., 0] == cell(2, 2)[..., 2]).all() and has_text(cell(2, 2))  # right: grey, count
    assert has_text(picture[:pictures.MISTAKES_TOP - 20, pictures.MISTAKES_LEFT:])  # title, 'read as'
    assert has_text(picture[pictures.MISTAKES_TOP:, :20])  # 'true digit', upwards


@pytest.mark.parametrize('right', [9195, 10000])
def test_the_mistakes_title_fits_in_the_picture_for_the_whole_test_set(right):
    # 10,000 test digits, its share to the hundredth as the script prints the accuracy:
    # nothing of the title runs off the right edge.
    counts = numpy.diag([1000] * 10)
    counts[0, 0], counts[0, 1] = 1000 - (10000 - right), 10000 - right
    images, true, predicted = numpy.zeros((2, 784)), numpy.array([0, 0]), numpy.array([0, 1])
    picture = decode(pictures.mistakes_png(images, true, predicted, counts))
    title = picture[:pictures.MISTAKES_TOP - 20]
    assert has_text(title[:, pictures.MISTAKES_LEFT:]) and (title[:, -8:] > 200).all()


def test_the_picture_is_written_through_a_symbolic_link(tmp_path):
    weights = numpy.random.RandomState(1).normal(size=(784, 10))
    (tmp_path / 'pictures').mkdir()
    (tmp_path / 'weights.png').symlink_to(tmp_path / 'pictures' / 'today.png')  # not there yet
    pictures.write_weights(str(tmp_path / 'weights.png'), weights)
    assert (tmp_path / 'weights.png').is_symlink()  # still a link, to the picture
    assert (tmp_path / 'pictures' / 'today.png').read_bytes() == pictures.weights_png(weights)
    assert sorted(os.listdir(tmp_path)) == ['pictures', 'weights.png']
    assert os.listdir(tmp_path / 'pictures') == ['today.png']


def test_a_picture_with_a_long_legal_name_is_written(tmp_path):
    # 250 characters: a temporary name of the picture's name and a suffix would be too long.
    path = tmp_path / ('w' * 246 + '.png')
    pictures.write_weights(str(path), numpy.ones((784, 10)))
    assert path.read_bytes() == pictures.weights_png(numpy.ones((784, 10)))
    assert os.listdir(tmp_path) == [path.name]


def test_the_picture_goes_through_a_temporary_file_no_one_can_plant(tmp_path):
    # Another user of a shared folder plants a symbolic link, and a FIFO, at the names a
    # temporary file beside w.png could have had (the old w.png.<pid>.tmp among them):
    # the picture is written through a new file of its own, and neither is touched.
    victim = tmp_path / 'victim'
    victim.write_bytes(b'precious')
    for pid in range(os.getpid() - 5, os.getpid() + 5):
        (tmp_path / ('w.png.%d.tmp' % pid)).symlink_to(victim)
    os.mkfifo(tmp_path / '.w.png.part')
    weights = numpy.random.RandomState(2).normal(size=(784, 10))
    planted = sorted(os.listdir(tmp_path))
    pictures.write_weights(str(tmp_path / 'w.png'), weights)
    assert victim.read_bytes() == b'precious'
    assert (tmp_path / 'w.png').read_bytes() == pictures.weights_png(weights)
    assert sorted(os.listdir(tmp_path)) == sorted(planted + ['w.png'])  # nothing left behind


def test_wrong_shapes_are_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ValueError, match=r'shape \(784, 10\)'):
        pictures.write_weights(str(tmp_path / 'w.png'), numpy.zeros((10, 784)))
    assert os.listdir(tmp_path) == []
    pictures.write_weights(None, numpy.zeros((10, 784)))  # no flag: nothing at all


def test_a_full_disk_for_a_picture_is_one_message_and_leaves_nothing(small_tmpfs):
    # What mnist_softmax.py shows, after the accuracy, as this message alone (its hook:
    # test_command_line.py), with exit status 1.
    (small_tmpfs / 'filler').write_bytes(bytes(60 << 10))  # what is left is too little
    with pytest.raises(safe_files.SaveError) as caught:
        pictures.write_weights(str(small_tmpfs / 'w.png'), numpy.random.RandomState(0).normal(size=(784, 10)))
    said = str(caught.value).splitlines()
    assert said[0] == 'Could not save w.png in %s: No space left on device.' % small_tmpfs
    assert re.fullmatch(r'To fix it, free some space there \(this file needs \d+ kB\)\.', said[1])
    assert len(said) == 2
    assert sorted(os.listdir(small_tmpfs)) == ['filler']
