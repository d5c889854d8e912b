"""Loads the generated Python bindings (bindings/generate.sh writes them) and the library."""

import pathlib
import sys

GENERATED = pathlib.Path(__file__).resolve().parents[2] / "generated" / "python"
if not (GENERATED / "satchel_ffi.py").exists():
    raise RuntimeError(f"no generated bindings in {GENERATED}; run bindings/generate.sh first")
sys.path.insert(0, str(GENERATED))
