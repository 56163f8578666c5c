"""classify.py on many photos at once: how often it reads them right, and how long it takes.

    python benchmarks/classify_benchmark.py            # 1000 photos of each set, 3 rounds
    python benchmarks/classify_benchmark.py --pictures 300 --runs 1

Three sets of photos that tests/conftest.py's photo_sets() makes of MNIST's first test
digits, JPEG at quality 85: photographed on lit paper, 4 to 9 times larger, off-centre
(photo); the same with a shadow across half the sheet (shadow); and on ruled paper, light
to dark blue rules a little askew, with a red margin (ruled). The tutorial's model is
trained once, seeded, and saved; then `python classify.py --model M PHOTOS...` reads each set
as a whole process. Beside it, in the same run, the same model on the same photos naively
resized to 28x28 (grey, no other step): the baseline of what MNIST's steps bring. And the
model on MNIST's own test digits, the most any preparation can give. Figures only: nothing
passes or fails.
"""

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'tests'))

import numpy  # noqa: E402
from PIL import Image  # noqa: E402

import input_data  # noqa: E402
import trained_model  # noqa: E402
from conftest import encoded, photo_sets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pictures', type=int, default=1000, help='photos a set (default: 1000)')
    parser.add_argument('--runs', type=int, default=3, help='timed rounds (default: 3)')
    flags = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):
        mnist = input_data.read_data_sets(
            os.path.join(HERE, 'MNIST_data'), reshape=False, dtype=numpy.uint8
        )
    digits = mnist.test.images[: flags.pictures, :, :, 0]
    labels = numpy.array(mnist.test.labels[: flags.pictures])
    sets = photo_sets(digits)
    with tempfile.TemporaryDirectory() as folder:
        model_path = os.path.join(folder, 'model', 'mnist_softmax')
        subprocess.run(
            [sys.executable, os.path.join(HERE, 'mnist_softmax.py'), '--seed', '1']
            + ['--save_model', model_path],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        model = trained_model.Model(model_path)
        ceiling = numpy.mean(model.probabilities(digits / 255.0).argmax(axis=1) == labels)
        print(
            'classify.py on %d photos a set of MNIST test digits (the model reads %.1f%% of '
            'the digits themselves)' % (len(labels), 100 * ceiling)
        )
        print('%-8s %12s %16s %28s' % ('set', 'read right', 'naively resized', 'whole process'))
        for name, rgbs in sets.items():
            paths = write(folder, name, rgbs)
            seconds, printed = timed(model_path, paths, flags.runs if name == 'photo' else 1)
            read = [int(line.rsplit(': ', 1)[1].split()[0]) for line in printed.splitlines()]
            naive = numpy.array([naive_read(model, rgb) for rgb in rgbs])
            print(
                '%-8s %11.1f%% %15.1f%% %14.2f s (%.1f ms a photo)%s'
                % (
                    name,
                    100 * numpy.mean(numpy.array(read) == labels),
                    100 * numpy.mean(naive == labels),
                    statistics.median(seconds),
                    1000 * statistics.median(seconds) / len(paths),
                    ', median of %d [%.2f-%.2f]' % (len(seconds), min(seconds), max(seconds))
                    if len(seconds) > 1
                    else '',
                )
            )


def write(folder, name, rgbs):
    paths = []
    for index, rgb in enumerate(rgbs):
        paths.append(os.path.join(folder, '%s-%04d.jpg' % (name, index)))
        with open(paths[-1], 'wb') as out:
            out.write(encoded(rgb, 'JPEG', quality=85))
    return paths


def timed(model_path, paths, runs):
    """(seconds of each run, what the last printed) of classify.py reading paths."""
    command = [sys.executable, os.path.join(HERE, 'classify.py'), '--model', model_path]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command + paths, check=True, capture_output=True, text=True)
        seconds.append(time.perf_counter() - started)
    return seconds, result.stdout


def naive_read(model, rgb):
    """What the model reads in a photo merely made grey, inverted and resized to 28x28."""
    grey = Image.fromarray(rgb).convert('L').resize((28, 28), Image.Resampling.BOX)
    return model.guesses(1 - numpy.asarray(grey, dtype=numpy.float64) / 255)[0][0]


if __name__ == '__main__':
    main()
