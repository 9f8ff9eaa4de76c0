"""Fixture generation for the .tflite reader (scripts/gen-tflite-fixtures)."""
