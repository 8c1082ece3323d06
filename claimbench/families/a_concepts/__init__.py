"""Section A of CLAIMS.md: what processes and threads are (memory, identity, CPUs)."""
