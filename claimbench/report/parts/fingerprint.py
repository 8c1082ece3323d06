"""The full runtime fingerprint of the reported run."""
from __future__ import annotations

from ..document import Section, Table


def build(ctx):
    s = Section("Runtime fingerprint", order=90)
    for rec in ctx.run:
        rows = [(k, v) for k, v in sorted(rec.runtime.items())]
        rows.append(("session", f"{rec.session} ({rec.wall_s:.1f} s wall)"))
        s.add(Table(("fact", "value"), rows,
                    fold=f"{len(rows)} facts of runtime {rec.runtime.get('tag', '?')}"))
        break
    return s
