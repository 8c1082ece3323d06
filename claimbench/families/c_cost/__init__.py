"""Section C of CLAIMS.md: what processes, threads and coroutines cost."""
