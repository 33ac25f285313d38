"""Benchmarks: workloads, a seeded event generator, and ratio reports."""
