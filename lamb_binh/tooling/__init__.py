"""Benchmarks and the load test: tooling of the whole project, above both apps."""
