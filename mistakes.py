"""What the trained model gets wrong on the test set, for mnist_softmax.py --confusion and
--mistakes_image: the confusion counts, printed as a table, and drawn as a picture
(pictures.mistakes_png).
"""

import numpy

import pictures


def show(image_path, print_counts, sess, x, y, test):
    """With print_counts (--confusion) the confusion counts printed, with image_path
    (--mistakes_image) the picture of the mistakes saved. Nothing when neither is asked."""
    if not image_path and not print_counts:
        return
    predicted = sess.run(y, feed_dict={x: test.images}).argmax(axis=1)
    true = test.labels.argmax(axis=1) if test.labels.ndim == 2 else test.labels
    counts = confusion(true, predicted)
    if print_counts:
        print(confusion_text(counts))
    if image_path:
        pictures.save(image_path, pictures.mistakes_png(test.images, true, predicted, counts))


def confusion(true, predicted, classes=10):
    """counts[t, p]: how many examples of digit t were read as p."""
    counts = numpy.zeros((classes, classes), dtype=int)
    numpy.add.at(counts, (true, predicted), 1)
    return counts


def confusion_text(counts):
    """The confusion counts as a table: a row for each true digit, a column for each read,
    and the share of each digit read right."""
    lines = ['confusion: rows the true digit, columns the digit read, then the share right']
    lines.append('     ' + ''.join('%6d' % digit for digit in range(len(counts))))
    for digit, row in enumerate(counts):
        share = 100 * row[digit] / max(1, row.sum())
        lines.append('%5d' % digit + ''.join('%6d' % count for count in row) + '  %5.1f%%' % share)
    return '\n'.join(lines)
