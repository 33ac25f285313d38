"""Compiled kernels (built from ``src_ext/`` when a compiler is available)."""
