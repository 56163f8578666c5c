# /// script
# requires-python = ">=3.10,<3.14"
# dependencies = ["tensorflow>=2.12,<3", "numpy>=1.22", "pillow>=10.1", "pillow-heif>=0.16"]
# ///
"""Your own handwritten digits, read by the tutorial's trained model.

    python classify.py my_seven.jpg five.png
    my_seven.jpg: 7 (97%)
    five.png: 3 (52%), or 5 (41%)

Each picture (a phone's photo or a scan, PNG, JPEG, GIF, BMP, WebP, TIFF, or HEIC with
pillow-heif) is made into a 28x28 image the way MNIST's digits were made (digit_picture.py
says how), and read by the model that `mnist_softmax.py --save_model` saved. When the
model is not sure, the next guess is given too; --top N gives N. With no model saved yet at
the default place, the tutorial is run first to train and save one. A picture that cannot
be read gets one line that says why; the others are still read, and the exit status is 1.
"""

import argparse
import os
import sys

import command_line
import digit_picture
import pictures
import safe_files
import trained_model

UNSURE = 0.6  # below this probability, the next guess is given too...
CLOSE = 0.5  # ...and when the next is at least this share of the first as likely


def parse_flags(argv=None):
    parser = argparse.ArgumentParser(
        prog='classify.py',
        description="Read handwritten digits in pictures with the tutorial's trained model.",
    )
    parser.add_argument(
        'images', nargs='+', metavar='IMAGE', help='pictures of digits: ' + digit_picture.READ
    )
    command_line.add_model_flag(parser)
    parser.add_argument(
        '--top',
        type=command_line.at_most_ten,
        default=None,
        help='give this many guesses for each picture (default: one, or two when the model '
        'is not sure)',
    )
    parser.add_argument(
        '--seen_image',
        help='write the 28x28 images the model saw, with what it read, as a PNG picture to '
        'this file (default: none)',
    )
    command_line.one_line_errors(parser)
    flags = parser.parse_args(argv)
    pictures_read = {image: 'one of the pictures to read' for image in flags.images}
    command_line.check_outputs(parser, [('--seen_image', flags.seen_image, ('',))], pictures_read)
    return flags


def answer(guesses, top=None):
    """'3 (52%), or 5 (41%)' of guesses [(digit, probability)], the likeliest first: the
    likeliest, and the next when the model is not sure; `top` of them if given."""
    if top is None:
        (_, first), (_, second) = guesses[:2]
        top = 2 if first < UNSURE or second >= CLOSE * first else 1
    return ', or '.join('%d (%.0f%%)' % (digit, 100 * p) for digit, p in guesses[:top])


def main(argv=None):
    flags = parse_flags(argv)
    model = trained_model.load(flags.model)
    seen, failed = [], False
    for path in flags.images:
        name = safe_files.printable(path)
        try:
            digit = digit_picture.prepare_file(path)
        except digit_picture.ImageError as error:
            print('%s: %s' % (name, error), file=sys.stderr)
            failed = True
            continue
        guesses = model.guesses(digit)
        print('%s: %s' % (name, answer(guesses, flags.top)))
        seen.append((os.path.basename(name), digit, guesses[0]))
    if flags.seen_image and seen:
        pictures.save(flags.seen_image, pictures.seen_png(seen))
    return 1 if failed else 0


if __name__ == '__main__':
    command_line.exit_with(main)
