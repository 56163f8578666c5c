"""What quiet_tensorflow hides, and that it hides nothing else."""
import logging
import os
import subprocess
import sys

import pytest

import quiet_tensorflow
from conftest import ROOT, environment, unexplained

# What TensorFlow 2.21 printed on its own here, on a machine without a GPU.
CHATTER = b"""\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795843429.456441    3177 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.
I0000 00:00:1795843429.456827    3177 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
I0000 00:00:1795843429.505889    3177 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.
E0000 00:00:1795843432.786752    3177 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
I0000 00:00:1795843432.788926    3177 mlir_graph_optimization_pass.cc:437] MLIR V1 optimization pass is not enabled
"""  # noqa: E501

# What TensorFlow 2.16 and 2.17 add on a machine without a GPU, and 2.19 on any.
REGISTRATION = b"""\
W0000 00:00:1795883660.951284   16235 computation_placer.cc:177] computation placer already registered. Please check linkage and avoid linking the same target more than once.
E0000 00:00:1732000000.123456   811 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered
E0000 00:00:1732000000.123999   811 cuda_fft.cc:607] Unable to register cuFFT factory: Attempting to register factory for plugin cuFFT when one has already been registered
"""  # noqa: E501

REAL = b"""\
E0000 00:00:1795843432.786752    3177 op_kernel.cc:1830] OP_REQUIRES failed at matmul_op.cc:51 : INVALID_ARGUMENT: Matrix size-incompatible
I0000 00:00:1795843432.788926    3177 port.cc:153] Something else TensorFlow wants to say
Traceback (most recent call last):
Fatal Python error: Segmentation fault
"""  # noqa: E501


def kept(data):
    return b''.join(quiet_tensorflow.without_chatter(data.splitlines(keepends=True)))


def test_tensorflows_chatter_is_dropped_and_real_errors_kept():
    assert kept(CHATTER) == b''
    assert kept(REGISTRATION) == b''
    assert kept(CHATTER + REAL) == REAL
    assert kept(REAL + CHATTER) == REAL


def test_a_line_that_only_contains_chatter_is_kept():
    # Chatter is a whole line; a message that quotes one is not chatter.
    for line in CHATTER.splitlines(keepends=True) + REGISTRATION.splitlines(keepends=True):
        quoted = b'Error while loading: ' + line
        assert kept(quoted) == quoted


# What TensorFlow prints on machines with a GPU, from public issue trackers (the time stamps
# and thread ids as they were):
# - google-parfait/tensorflow-federated#4600, TensorFlow 2.1x on a Tesla V100, in
#   TensorFlow 2.12's format: the device it made, and the NUMA note, on a working GPU;
# - cms-sw/cmssw#42657 and tensorflow/tensorflow#7653: cuInit failing with a driver there.
GPU_MACHINE = b"""\
2024-04-05 01:06:22.208729: I tensorflow/compiler/xla/stream_executor/cuda/cuda_gpu_executor.cc:894] successful NUMA node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA node zero. See more at https://github.com/torvalds/linux/blob/v6.0/Documentation/ABI/testing/sysfs-bus-pci#L344-L355
2024-04-05 01:06:22.208898: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1886] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 14785 MB memory:  -> device: 0, name: Tesla V100-SXM2-16GB, pci bus id: 0000:00:1e.0, compute capability: 7.0
"""  # noqa: E501
CUDA_FAILED_WITH_A_DRIVER = [
    b'2023-08-24 10:00:00.000000: E tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:266] '
    b'failed call to cuInit: UNKNOWN ERROR (34)\n',
    b'2017-08-14 07:28:29.379866: E tensorflow/stream_executor/cuda/cuda_driver.cc:406] '
    b'failed call to cuInit: CUDA_ERROR_NO_DEVICE\n',
]


def test_on_a_machine_with_a_gpu_what_tensorflow_says_of_it_shows():
    # With a driver, TensorFlow does not say it found none, and its GPU lines are news.
    assert kept(GPU_MACHINE) == GPU_MACHINE
    for line in CUDA_FAILED_WITH_A_DRIVER:
        assert kept(line) == line
        assert b''.join(quiet_tensorflow.without_chatter([line], no_driver=False)) == line


def test_a_failed_cuda_start_is_hidden_only_where_there_is_no_driver():
    cuda_error = CHATTER.splitlines(keepends=True)[5]  # (303): no driver to start
    assert kept(cuda_error) == cuda_error  # nothing says there is no driver: shown
    assert kept(CHATTER) == b''  # TensorFlow said so first: hidden
    with_driver = CHATTER.replace(b'Could not find cuda drivers on your machine, GPU will not be used',
                                  b'Found a cuda driver')
    assert kept(with_driver) == with_driver.splitlines(keepends=True)[2] + cuda_error
    other_cuda_error = cuda_error.replace(b'(303)', b'(100)')
    assert kept(CHATTER + other_cuda_error) == other_cuda_error
    # Where no CUDA driver can be loaded, the failed start is no news even when TensorFlow
    # has not said so (2.18 and later, at TF_CPP_MIN_LOG_LEVEL 1 to 3).
    assert b''.join(quiet_tensorflow.without_chatter([cuda_error], no_driver=True)) == b''


# What TensorFlow 2.22.0rc0 printed here at TF_CPP_MIN_LOG_LEVEL 0 to 2: its failed CUDA start
# ends with the place in its sources that reported it, and a blank line.
TRACED_CUDA_START = b"""\
E0000 00:00:1796005654.827409    2428 cuda_platform.cc:57] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
=== Source Location Trace: ===
external/xla/xla/stream_executor/cuda/cuda_status.cc:50

"""  # noqa: E501


def test_a_source_trace_goes_and_stays_with_its_message():
    hidden = quiet_tensorflow.without_chatter
    assert b''.join(hidden(TRACED_CUDA_START.splitlines(True), no_driver=True)) == b''
    # With a driver, the failed start is news, and so is where it came from.
    assert b''.join(hidden(TRACED_CUDA_START.splitlines(True), no_driver=False)) == TRACED_CUDA_START
    # After chatter, a real error keeps its trace; the trace of chatter ends at its blank line.
    real = TRACED_CUDA_START.replace(b'(303)', b'(100)')
    assert kept(CHATTER + TRACED_CUDA_START + real) == real
    assert kept(CHATTER + TRACED_CUDA_START + b'a line of Python\n') == b'a line of Python\n'
    # A trace with no message before it, or lines merely like a trace, are not hidden.
    assert kept(TRACED_CUDA_START.partition(b'\n')[2]) == TRACED_CUDA_START.partition(b'\n')[2]
    assert kept(CHATTER + b'x.py:3\n') == b'x.py:3\n'


def test_whether_a_cuda_driver_can_be_loaded_is_asked_of_the_loader(monkeypatch):
    # Both answers, whatever this machine has: a driver library that loads, and none.
    loaded = []
    monkeypatch.setattr(quiet_tensorflow.sys, 'platform', 'linux')
    monkeypatch.setattr(quiet_tensorflow.ctypes, 'CDLL', lambda name: loaded.append(name))
    assert quiet_tensorflow._no_cuda_driver() is False and loaded == ['libcuda.so.1']

    def missing(name):
        raise OSError('libcuda.so.1: cannot open shared object file: No such file or directory')
    monkeypatch.setattr(quiet_tensorflow.ctypes, 'CDLL', missing)
    assert quiet_tensorflow._no_cuda_driver() is True
    monkeypatch.setattr(quiet_tensorflow.sys, 'platform', 'darwin')  # TensorFlow uses CUDA on Linux only
    assert quiet_tensorflow._no_cuda_driver() is False


def test_a_crash_inside_the_block_is_told_on_the_real_stderr():
    # TensorFlow crashing in its import (an old CPU without AVX, say): the fault handler
    # writes to the terminal, not into the file that holds the chatter.
    program = ('import faulthandler, sys; sys.path.insert(0, %r); import quiet_tensorflow\n'
               'with quiet_tensorflow.start_up():\n    faulthandler._sigsegv()' % ROOT)
    result = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True,
                            timeout=60, env=environment())
    assert result.returncode != 0
    assert 'Fatal Python error: Segmentation fault' in result.stderr
    assert 'File "<string>", line 3' in result.stderr


def test_the_block_asks_whether_there_is_a_cuda_driver(monkeypatch, capfd):
    # A failed CUDA start written inside the block: shown where a driver can be loaded
    # (its failure is news there), hidden where none can.
    cuda_error = CHATTER.splitlines(keepends=True)[5]
    # Without TensorFlow, as far as the block can tell: it looks for no devices, so a GPU
    # machine's lines about them do not come into this test.
    monkeypatch.delitem(sys.modules, 'tensorflow', raising=False)
    for no_driver, shown in ((False, cuda_error.decode()), (True, '')):
        monkeypatch.setattr(quiet_tensorflow, '_no_cuda_driver', lambda answer=no_driver: answer)
        with quiet_tensorflow._quiet():
            os.write(2, cuda_error)
        assert capfd.readouterr().err == shown


# The block without TensorFlow: what it leaves as it found, and what it lets through.
AROUND_THE_BLOCK = '''
import faulthandler, gc, sys, warnings
sys.path.insert(0, %r)
import quiet_tensorflow
warnings.simplefilter("default")
with quiet_tensorflow.start_up():
    warnings.warn_explicit("of TensorFlow", DeprecationWarning, "t.py", 1, module="tensorflow.python.t")
    warnings.warn_explicit("of another module", DeprecationWarning, "m.py", 1, module="mine")
print(gc.isenabled(), faulthandler.is_enabled(), flush=True)
faulthandler._sigsegv()  # a crash after the block
''' % ROOT


def test_after_the_block_the_fault_handler_is_as_before_and_only_tensorflows_warnings_went():
    for options, handler_on in (([], False), (['-X', 'faulthandler'], True)):
        result = subprocess.run([sys.executable, *options, '-c', AROUND_THE_BLOCK], capture_output=True,
                                text=True, timeout=60, env=environment())
        assert result.returncode != 0  # the crash
        assert result.stdout == 'True %s\n' % handler_on  # the collector runs again
        assert 'm.py:1: DeprecationWarning: of another module' in result.stderr
        assert 'of TensorFlow' not in result.stderr
        # A crash after the block is told on stderr when the handler was on before it, and
        # not through the file descriptor the block used and closed.
        assert ('Fatal Python error: Segmentation fault' in result.stderr) == handler_on


def test_only_the_tutorials_deprecation_notices_are_dropped():
    def notice(function):
        return logging.LogRecord(
            'tensorflow', logging.WARNING, 'deprecation.py', 1,
            'From %s: %s (from %s) is deprecated and will be removed %s.\n'
            'Instructions for updating:\n%s', ('x.py:1', function, 'tensorflow.python.ops',
                                              'in a future version', 'Use something else'), None)
    assert not quiet_tensorflow._not_on_purpose(notice('disable_resource_variables'))
    assert not quiet_tensorflow._not_on_purpose(notice('softmax_cross_entropy_with_logits'))
    assert quiet_tensorflow._not_on_purpose(notice('softmax_cross_entropy_with_logits_v2'))
    assert quiet_tensorflow._not_on_purpose(notice('to_float'))


PROGRAM = '''
import gc, os, sys
sys.path.insert(0, %r)
import quiet_tensorflow
print("before", file=sys.stderr, flush=True)
with quiet_tensorflow.start_up():
    print(gc.isenabled(), flush=True)  # the collector paused during the import
    import tensorflow.compat.v1 as tf
    os.write(2, b"E0000 00:00:1.2 1 x.cc:1] a real error from C++\\n")
    print("a Python line inside", file=sys.stderr)

print("after", file=sys.stderr, flush=True)
# Quicker: the collector runs again, and leaves TensorFlow's objects, frozen, alone.
print(gc.isenabled(), gc.get_freeze_count() > 100000, flush=True)
tf.disable_v2_behavior()
session = tf.InteractiveSession()
tf.global_variables_initializer().run()
tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))
''' % ROOT


@pytest.mark.slow
def test_in_a_real_process_chatter_goes_errors_stay_in_order_and_level_0_shows_all():
    runs = {level: subprocess.Popen([sys.executable, '-c', PROGRAM], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True,
                                    env=environment(**({'TF_CPP_MIN_LOG_LEVEL': level}
                                                       if level else {})))
            for level in (None, '0')}  # unset, and 0; 1 to 3 as unset: the REPL test's 2
    results = {level: run.communicate(timeout=120) for level, run in runs.items()}
    # On a machine with a GPU, TensorFlow's lines about it come too, on purpose.
    errors = {level: unexplained(err) for level, (_, err) in results.items()}
    assert {out for out, _ in results.values()} == {'False\nTrue True\n'}
    assert runs[None].returncode == 1
    lines = errors[None]
    assert lines[:4] == ['before', 'E0000 00:00:1.2 1 x.cc:1] a real error from C++',
                         'a Python line inside', 'after']
    traceback = lines[lines.index('after') + 1:]
    assert traceback[0] == 'Traceback (most recent call last):'
    assert all(line.startswith(' ') for line in traceback[1:-1]), traceback
    assert traceback[-1].startswith('ValueError: Dimensions must be equal')
    # TF_CPP_MIN_LOG_LEVEL=0 shows it all, and so shows what the quiet runs hid: the lines
    # CHATTER matches, each a different message (the first three twice in 2.21), ...
    shown = [line for line in errors['0'] if quiet_tensorflow.CHATTER.fullmatch(line)]
    assert len(set(map(message, shown))) >= 4
    for line in shown:
        assert all(message(line) != message(quiet) for quiet in errors[None])
    # ... and the deprecation notice of tf.disable_v2_behavior().
    notice = 'disable_resource_variables (from tensorflow'
    assert notice in '\n'.join(errors['0'])
    assert all(notice not in line for line in errors[None])


def message(line):
    """A log line without its time stamp and thread: what it says, and where from."""
    return line.partition('] ')[2] or line


def test_quietly_hides_tensorflows_log_lines_of_a_failed_call_and_nothing_else(monkeypatch, capfd):
    # TensorFlow logs a failed op as well as raising it (2.22 with a source trace); the
    # caller says it once. Anything else written in the block stays.
    monkeypatch.delitem(sys.modules, 'tensorflow', raising=False)
    logged = (b'W0000 00:00:1796008429.644912   22176 local_rendezvous.cc:412] Local rendezvous is '
              b'aborting with status: INVALID_ARGUMENT: Invalid PNG data, size 60\n'
              b'\t [[{{node decode_image/DecodeImage}}]]\n'
              b'=== Source Location Trace: ===\nexternal/xla/xla/tsl/platform/status.cc:12\n\n')
    with quiet_tensorflow.quietly():
        os.write(2, logged + b'a line of Python\n')
    assert capfd.readouterr().err == 'a line of Python\n'
