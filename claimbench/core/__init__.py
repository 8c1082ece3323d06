"""The measuring core: what the experiments and their child processes import. Standard library and
psutil only, CPython 3.8-3.15 and free-threaded builds; it imports nothing outside itself."""
