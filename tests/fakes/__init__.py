"""Fakes of external services, shared by the test suite and the benchmarks."""
