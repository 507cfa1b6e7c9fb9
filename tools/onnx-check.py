#!/usr/bin/env python3
"""Validate exported ONNX files with the ONNX project's own checker (Debian: apt-get install python3-onnx).

    /usr/bin/python3 tools/onnx-check.py model.onnx [more.onnx ...]

Runs onnx.checker.check_model with full_check (operator schemas and shape inference), prints one line per file,
and exits non-zero if any file fails. Optional in CI: the test suite checks every export by running it in ONNX Runtime.
"""
import sys

try:
    import onnx
except ImportError:
    sys.exit("python3-onnx is not installed (apt-get install -y python3-onnx)")

failed = 0
for path in sys.argv[1:]:
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        print(f"ok    {path}: IR {model.ir_version}, opset {opsets}, {len(model.graph.node)} nodes")
    except Exception as e:  # the checker raises several exception types
        failed += 1
        print(f"FAIL  {path}: {e}")
sys.exit(1 if failed else 0)
