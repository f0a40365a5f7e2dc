"""Benchmarks that print figures (`make bench-nlu`); targets are checked here, not in tests."""
