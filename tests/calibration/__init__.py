"""Scripts that measure the reference over many seeds to justify tolerances (not tests)."""
