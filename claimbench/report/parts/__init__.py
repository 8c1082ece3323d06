"""Report parts. Each module has ``build(ctx) -> Section | None``; ``order`` sorts them."""
