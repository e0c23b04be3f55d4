"""Snapshots of session and actor state, behind one small interface.

The in-memory backend is the default; Redis shares snapshots between
processes (``--store redis://``).
"""

from .memory import MemoryStore as MemoryStore
