"""Section E of CLAIMS.md: CPU-bound work to processes, I/O-bound work to threads."""
