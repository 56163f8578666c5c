"""classify.py on many pictures at once: how long it takes, and how often it reads them right.

    python benchmarks/classify_benchmark.py            # 2000 pictures, 3 rounds
    python benchmarks/classify_benchmark.py --pictures 500 --runs 5

It writes MNIST test digits as photos show them (tests/conftest.py's photo(): dark ink on
lit paper, 4 to 9 times larger, off-centre, JPEG), trains and saves the tutorial's model
once (--seed 1), then times `python classify.py --model M PICTURES...` as a whole process and prints
the median [min-max] seconds, and the share read as their true digit. Beside it, the same
model on the same pictures naively resized to 28x28 (grey, no other step), to show what
MNIST's steps bring. Figures only: nothing passes or fails.
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

import classify  # noqa: E402
import input_data  # noqa: E402
from conftest import photo  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pictures', type=int, default=2000, help='how many (default: 2000)')
    parser.add_argument('--runs', type=int, default=3, help='rounds (default: 3)')
    flags = parser.parse_args()
    import tensorflow as tf

    with contextlib.redirect_stdout(io.StringIO()):
        mnist = input_data.read_data_sets(
            os.path.join(HERE, 'MNIST_data'), reshape=False, dtype=numpy.uint8
        )
    random = numpy.random.RandomState(0)
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, 'model', 'mnist_softmax')
        paths, labels, naive = [], [], []
        for index in range(flags.pictures):
            digit = mnist.test.images[index][..., 0]
            scale = random.randint(4, 10)
            at = (random.randint(0, 300 - 28 * scale + 1), random.randint(0, 320 - 28 * scale + 1))
            rgb = photo(digit, scale=scale, canvas=(300, 320), at=at)
            path = os.path.join(folder, '%04d.jpg' % index)
            with open(path, 'wb') as out:
                out.write(tf.io.encode_jpeg(rgb, quality=85).numpy())
            paths.append(path)
            labels.append(int(mnist.test.labels[index]))
            grey = rgb.mean(axis=2, keepdims=True) / 255
            naive.append(tf.image.resize(grey[None], [28, 28], antialias=True).numpy()[0, :, :, 0])
        # The tutorial's model, seeded so that every run of this measures the same one.
        subprocess.run(
            [sys.executable, os.path.join(HERE, 'mnist_softmax.py'), '--seed', '1']
            + ['--save_model', model],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = [sys.executable, os.path.join(HERE, 'classify.py'), '--model', model]
        seconds = []
        for _ in range(flags.runs):
            started = time.perf_counter()
            result = subprocess.run(command + paths, check=True, capture_output=True, text=True)
            seconds.append(time.perf_counter() - started)
        read = [int(line.rsplit(': ', 1)[1].split()[0]) for line in result.stdout.splitlines()]
        saved = classify.Model(model)
        naive_read = [saved.read(image)[0] for image in naive]
    right = numpy.mean(numpy.array(read) == labels)
    naive_right = numpy.mean(numpy.array(naive_read) == labels)
    print('classify.py on %d photos of MNIST test digits, %d rounds' % (len(paths), flags.runs))
    print(
        'whole process: %.2f s median [%.2f-%.2f], %.1f ms a picture'
        % (
            statistics.median(seconds),
            min(seconds),
            max(seconds),
            1000 * statistics.median(seconds) / len(paths),
        )
    )
    print(
        "read right: %.1f%% with MNIST's steps, %.1f%% naively resized"
        % (100 * right, 100 * naive_right)
    )


if __name__ == '__main__':
    main()
