"""Find forms in a grid and read each into a ``FormRecord``, locating every block by its labels.

No coordinate is fixed: a block is found by its header labels, and each value is read from the
column its header names (or from the first non-label cell to the right of its label). Which words
name which field is data: ``vocabulary.toml`` (extendable by a user's file, see ``vocabulary``).
One reader per block (``header``, ``funds``, ``goals``, ``indicators``, ``total``,
``conclusions``) returns what it read; ``record`` assembles the form. Every non-empty cell of a
form's region is either consumed by a field or label, or listed as unmapped.
"""

from __future__ import annotations

from ..read import range_name
from .funds import classify_fund as _classify_fund
from .header import split_department
from .indicators import split_inline_weight, split_weight_range
from .record import FormRecord, read_forms
from .vocabulary import Matcher, Vocabulary, VocabularyError, builtin, load_vocabulary


def classify_fund(text: str, vocabulary: "Vocabulary | None" = None) -> str | None:
    """A fund line label → its ``source`` (``total``, ``central`` …), or ``None``."""
    return _classify_fund(vocabulary or builtin(), text)


__all__ = ["FormRecord", "read_forms", "split_department", "split_inline_weight", "split_weight_range",
           "classify_fund", "range_name", "Vocabulary", "VocabularyError", "Matcher", "load_vocabulary"]
