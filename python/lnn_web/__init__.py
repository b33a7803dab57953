"""lnn-web in JAX: the project's weights files, its four model kinds and its true systems, and
training sharded over every device JAX sees (``python -m lnn_web.train``).

Importing the package turns on JAX's 64-bit mode: the Rust engine works in f64, and agreement
with it to 1e-10 relative (tested) needs f64 here too. It does so without importing JAX (through
``JAX_ENABLE_X64``, read when JAX is first imported), so the command lines refuse bad flags at
once; if JAX is already imported, through ``jax.config``.

* :mod:`lnn_web.weights`: read, check and write weights files (``docs/weights-format.md``).
* :mod:`lnn_web.models`: time derivatives and learned energies of lnn, baseline, hnn, graph-lnn.
* :mod:`lnn_web.systems`: the true systems, their samplers, accelerations and energies.
* :mod:`lnn_web.losses`, :mod:`lnn_web.train`: the training objective and the trainer.
* ``python -m lnn_web predict --model FILE --states FILE``: as ``lnn predict``.
"""

import os
import sys

os.environ["JAX_ENABLE_X64"] = "1"
if "jax" in sys.modules:
    sys.modules["jax"].config.update("jax_enable_x64", True)

__version__ = "0.1.0"
