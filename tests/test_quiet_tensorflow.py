"""What quiet_tensorflow hides, and that it hides nothing else."""
import os
import subprocess
import sys

from conftest import ROOT
from test_mnist_softmax import environment

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

REAL = b"""\
E0000 00:00:1795843432.786752    3177 op_kernel.cc:1830] OP_REQUIRES failed at matmul_op.cc:51 : INVALID_ARGUMENT: Matrix size-incompatible
Traceback (most recent call last):
Fatal Python error: Segmentation fault
"""  # noqa: E501


def filtered(data):
    """What the filter passes on, run as the child process it is (importing the module
    here would rewire this process's stderr)."""
    child = subprocess.run([sys.executable, '-S', os.path.join(ROOT, 'quiet_tensorflow.py')],
                           input=data, capture_output=True, timeout=60, check=True)
    return child.stdout


def test_tensorflows_chatter_is_dropped_and_real_errors_kept():
    assert filtered(CHATTER) == b''
    assert filtered(CHATTER + REAL) == REAL
    assert filtered(REAL + CHATTER) == REAL


def test_a_failed_cuda_start_shows_where_a_driver_exists():
    cuda_error = CHATTER.splitlines(keepends=True)[5]
    assert filtered(cuda_error) == cuda_error
    assert filtered(CHATTER.replace(b'Could not find cuda drivers', b'Found driver')) == cuda_error


def test_repl_prompts_before_chatter_are_kept():
    assert filtered(b'>>> >>> ... ' + CHATTER.splitlines(keepends=True)[0]) == b'>>> >>> ... '
    assert filtered(b'>>> ' + REAL) == b'>>> ' + REAL


def test_in_a_real_process_chatter_goes_and_errors_stay():
    code = ('import os, sys; sys.path.insert(0, %r); import quiet_tensorflow; '
            'import tensorflow.compat.v1 as tf; '
            'tf.InteractiveSession(); '
            'os.write(2, b"E0000 00:00:1.2 1 x.cc:1] a real error from C++\\n"); '
            'print("a Python warning", file=sys.stderr); '
            'tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))' % ROOT)
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=120, env=environment())
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert 'E0000 00:00:1.2 1 x.cc:1] a real error from C++' in lines
    assert 'a Python warning' in lines
    assert 'Traceback (most recent call last):' in lines
    assert 'InvalidArgumentError' in lines[-1] and 'Matrix size-incompatible' in lines[-1]
    for chatter in CHATTER.decode().splitlines():
        assert chatter[:30] not in result.stderr
