"""How long the tutorial takes and how much memory it holds, against importing TensorFlow.

    python benchmarks/benchmark.py            # 5 rounds, about a minute and a half
    python benchmarks/benchmark.py --runs 9   # steadier medians on a busy machine

Prints two tables, figures only (nothing here passes or fails):
1. Whole processes, run in turn in the same call: `python -c "import tensorflow"` (what
   any run of the tutorial pays first) and `python mnist_softmax.py`, with wall
   time and peak resident memory. The ratio is taken per run, against the mean of the
   imports just before and after it, then its median: machines here are shared and
   noisy, and runs close in time see about the same load.
2. Phases of the script inside one process: flags, data load (verification included),
   TensorFlow's import, graph build (with the session), training (total and per step) and
   evaluation. The script is cut at its own phase lines and each piece is run and timed in
   turn, so what is timed is exactly the code in mnist_softmax.py.

--before DIR also measures another checkout in the same rounds, for a before/after
table: `git worktree add /tmp/before <commit>`, then `--before /tmp/before`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Where each phase begins in mnist_softmax.py: the first line equal to this text.
PHASES = [
    ('flags', None),
    ('data load', '# Import data'),
    ('tensorflow import', 'import quiet_tensorflow'),
    ('graph build', '# Create the model'),
    ('training', '# Train'),
    ('evaluation', '# Test trained model'),
]


def run_whole(command, environment):
    """Wall seconds, peak resident MiB and stdout of one process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode()
    if status != 0:
        raise SystemExit('%s failed (wait status %d):\n%s' % (' '.join(command), status, output))
    return seconds, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


def pieces(script):
    """mnist_softmax.py cut into (phase, source) at the lines of PHASES."""
    with open(script) as handle:
        lines = handle.read().splitlines(keepends=True)
    starts = [0]
    for name, text in PHASES[1:]:
        matches = [number for number, line in enumerate(lines) if line.rstrip() == text]
        if not matches:
            raise SystemExit(
                '%s has no line %r, where the %s phase should begin: update '
                'PHASES in %s' % (script, text, name, __file__)
            )
        starts.append(matches[0])
    if starts != sorted(starts):
        raise SystemExit(
            '%s has the lines of PHASES in another order: its phases are not measured' % script
        )
    ends = starts[1:] + [len(lines)]
    return [
        (name, ''.join(lines[start:end]))
        for (name, _), start, end in zip(PHASES, starts, ends, strict=True)
    ]


def run_phases(script, report):
    """(In a fresh process.) Run the script's pieces in turn; write their seconds to report."""
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(script))
    namespace = {'__name__': '__main__'}
    seconds = {}
    for name, source in pieces(script):
        code = compile(source, script, 'exec')
        start = time.perf_counter()
        exec(code, namespace)
        seconds[name] = time.perf_counter() - start
    seconds['steps'] = namespace['FLAGS'].max_steps
    with open(report, 'w') as handle:
        json.dump(seconds, handle)


def median_and_range(values, scale=1.0, digits=2):
    values = [value * scale for value in values]
    return '%.*f  [%.*f-%.*f]' % (
        digits,
        statistics.median(values),
        digits,
        min(values),
        digits,
        max(values),
    )


def parse_flags():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--runs', type=int, default=5, help='rounds of each measurement (default: 5)'
    )
    parser.add_argument(
        '--repo',
        default=HERE,
        help='checkout whose mnist_softmax.py to measure (default: this one)',
    )
    parser.add_argument(
        '--before',
        metavar='DIR',
        help='also measure the mnist_softmax.py of this checkout, in the '
        'same rounds, for a before/after table (default: none)',
    )
    parser.add_argument('--phases-into', help=argparse.SUPPRESS)  # internal: one phase run
    flags = parser.parse_args()
    if flags.runs < 1:
        parser.error('--runs must be at least 1')
    return flags


def main():
    flags = parse_flags()
    if flags.phases_into:
        run_phases(os.path.join(os.path.abspath(flags.repo), 'mnist_softmax.py'), flags.phases_into)
        return
    checkouts = [('after', flags.repo)] if flags.before else [('tutorial', flags.repo)]
    if flags.before:
        checkouts.insert(0, ('before', flags.before))
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ('TF_CPP_MIN_LOG_LEVEL', 'PYTHONWARNINGS')
    }
    measure_whole_processes(checkouts, flags.runs, environment)
    measure_phases(checkouts, flags.runs, environment)


def measure_whole_processes(checkouts, runs, environment):
    """Print each checkout's whole run against a bare import of TensorFlow."""
    commands = [('python -c "import tensorflow"', [sys.executable, '-c', 'import tensorflow'])]
    commands += [
        (
            '%s: mnist_softmax.py --seed 1' % label,
            [
                sys.executable,
                os.path.join(os.path.abspath(repo), 'mnist_softmax.py'),
                '--seed',
                '1',
            ],
        )
        for label, repo in checkouts
    ]
    whole = {label: [] for label, _ in commands}
    accuracies = set()
    bare_label, bare_command = commands[0]
    for round_ in range(runs):
        # The import first in every round, and once more at the end, so that each run of
        # the script is measured between two runs of the import; the scripts in turn, in
        # alternating order, so that neither always follows the import.
        scripts = commands[1:] if round_ % 2 == 0 else commands[:0:-1]
        for label, command in [commands[0]] + scripts:
            seconds, peak, output = run_whole(command, environment)
            whole[label].append((seconds, peak))
            if output:
                accuracies.add(output.splitlines()[-1])
    whole[bare_label].append(run_whole(bare_command, environment)[:2])

    print('Python %s, %d rounds, in turn; median [min-max]' % (sys.version.split()[0], runs))
    print()
    print('%-44s %-20s %s' % ('whole process', 'wall s', 'peak MiB'))
    for label, _ in commands:
        seconds = median_and_range([r[0] for r in whole[label]])
        peak = median_and_range([r[1] for r in whole[label]], digits=0)
        print('%-44s %-20s %s' % (label, seconds, peak))
    bare = whole[bare_label]
    for label, _ in commands[1:]:
        # Each run against the mean of the imports just before and just after it: the
        # machine's speed drifts, and this follows it.
        floors = [(before[0] + after[0]) / 2 for before, after in zip(bare, bare[1:], strict=False)]
        ratios = [mine[0] / floor for mine, floor in zip(whole[label], floors, strict=True)]
        name = 'paired ratio to the import, %s' % label.split(':')[0]
        print('%-44s %s' % (name, median_and_range(ratios)))
    print('accuracy printed: %s' % ', '.join(sorted(accuracies)))


def measure_phases(checkouts, runs, environment):
    """Print the time of each phase of each checkout's script."""
    # Only checkouts whose script has the phase lines, in order (an older one may not).
    timed = []
    for label, repo in checkouts:
        try:
            pieces(os.path.join(os.path.abspath(repo), 'mnist_softmax.py'))
            timed.append((label, repo))
        except SystemExit as reason:
            print('%s: %s' % (label, reason))
    phases = {label: [] for label, _ in timed}
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, 'phases.json')
        for _ in range(runs):
            for label, repo in timed:
                command = [sys.executable, os.path.abspath(__file__), '--repo', repo]
                subprocess.run(
                    command + ['--phases-into', report],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    env=environment,
                )
                with open(report) as handle:
                    phases[label].append(json.load(handle))
    print()
    print('%-20s' % 'phase, seconds' + ''.join('%-26s' % label for label, _ in timed))
    for name, _ in PHASES:
        cells = [median_and_range([p[name] for p in phases[label]], digits=3) for label, _ in timed]
        print('%-20s' % name + ''.join('%-26s' % cell for cell in cells))
    per_step = [
        median_and_range([p['training'] / p['steps'] for p in phases[label]], 1000, digits=3)
        for label, _ in timed
    ]
    print('%-20s' % 'training, ms a step' + ''.join('%-26s' % cell for cell in per_step))


if __name__ == '__main__':
    main()
