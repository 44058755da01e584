"""The benchmark behind `make bench` (docs/benchmarks.md)."""
