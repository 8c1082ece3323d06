"""The notes' claims, one package per section of ../shared/CLAIMS.md, found by name
(``claimbench.claims.family_module_names``). Each holds ``claims`` (registry entries), ``child``
(what its child processes run), ``data`` (the typed data its report part reads) and ``report``.
These packages stay empty: child processes import them on the way to their code."""
