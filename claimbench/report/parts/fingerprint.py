"""The full runtime fingerprint of the reported run."""
from __future__ import annotations

from ..document import Section, Table


def build(ctx):
    s = Section("Runtime fingerprint", order=90)
    for rec in ctx.run:
        rows = [(k, v) for k, v in sorted(rec.runtime.items())]
        rows.append(("session", "{} ({:.1f} s wall)".format(rec.session, rec.wall_s)))
        s.add(Table(("fact", "value"), rows,
                    fold="{} facts of runtime {}".format(len(rows), rec.runtime.get("tag", "?"))))
        break
    return s
