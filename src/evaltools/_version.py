"""The evaltools version, in a module of its own so that any stage can read it without importing
the package face (which imports every stage). Kept equal to pyproject's ``version`` by a test."""

__version__ = "0.1.0"
