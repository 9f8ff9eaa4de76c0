"""ONNX test fixtures for bnnc (see tests/golden/onnx/README.md)."""
