"""The sandbox's entry point: ``python -m claimbench.families.c_cost.child`` serves requests (server.serve)."""
from .server import serve

serve()
