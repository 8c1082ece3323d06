"""What a command's bad input must print: one clear error line on stderr, nothing on stdout."""
from __future__ import annotations


def one_error_line(capsys):
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("claimbench: error: ")
    assert out == ""
    return lines[0]
