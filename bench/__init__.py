"""Benchmarks: Recovery Coach against the smallest honest ask-sdk-core skill.

Run `python -m bench.run` from the repository root (`--quick` for a smoke run).
"""
