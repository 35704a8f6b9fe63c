"""Benchmarks: numbers go to docs/benchmarks.md, never into timed tests."""
