"""This repository's tests run with the claimbench pytest plugin (claimbench/plugin/__init__.py), installed
or not: installed, its pytest11 entry point has loaded it already and that entry does nothing.
pytester drives the plugin in projects of its own (tests/test_plugin.py)."""
pytest_plugins = ["claimbench.plugin", "pytester"]
