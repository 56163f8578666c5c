"""mistakes.py: the confusion counts against NumPy's own count, on an example that is not
symmetric, so that rows and columns cannot be swapped unseen."""
import numpy

import mistakes


def test_the_counts_are_rows_true_and_columns_read():
    random = numpy.random.RandomState(0)
    true = random.randint(0, 10, 500)
    predicted = numpy.where(random.rand(500) < 0.3, (true + 1) % 10, true)  # 3 often read as 4, never 4 as 3
    counts = mistakes.confusion(true, predicted)
    expected = numpy.array([[numpy.sum((true == t) & (predicted == p)) for p in range(10)] for t in range(10)])
    assert (counts == expected).all() and (counts != counts.T).any()
    assert counts[3, 4] > 0 and counts[4, 3] == 0


def test_the_table_reads_as_the_counts():
    true, predicted = numpy.array([1, 1, 1, 7]), numpy.array([7, 7, 1, 7])
    lines = mistakes.confusion_text(mistakes.confusion(true, predicted)).splitlines()
    assert lines[0] == 'confusion: rows the true digit, columns the digit read, then the share right'
    assert lines[1].split() == [str(digit) for digit in range(10)]
    assert lines[3].split() == ['1', '0', '1', '0', '0', '0', '0', '0', '2', '0', '0', '33.3%']  # true 1: two read as 7
    assert lines[9].split() == ['7'] + ['0'] * 7 + ['1', '0', '0', '100.0%']
    assert lines[2].split()[-1] == '0.0%'  # no 0 at all: nothing read right
