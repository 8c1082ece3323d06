"""Section D of CLAIMS.md: the timings the notes' examples print."""
