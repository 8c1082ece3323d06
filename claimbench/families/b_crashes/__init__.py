"""Section B of CLAIMS.md: what a crash takes down with it."""
