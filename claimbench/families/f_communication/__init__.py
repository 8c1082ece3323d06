"""Section F of CLAIMS.md: how processes talk, and how fast they move bytes."""
