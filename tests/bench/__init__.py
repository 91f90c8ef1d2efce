"""Benchmarks, run by `make bench` (`python -m tests.bench [module ...]`).

Every module in this package with a `run()` function is a benchmark. `run()` prints its figures as
`name: value unit` lines, or returns them (strings, or `(name, value, unit)` tuples). The runner prepares
a dedicated, migrated PostgreSQL database first (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/opennps_bench) and exits non-zero when a benchmark raises.
"""
