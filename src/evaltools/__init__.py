"""evaltools: load, audit and report on 项目支出绩效自评表 workbooks."""

from ._version import __version__
from .audit import AuditResult, audit
from .bounds import CellError, Limits
from .errors import EvaltoolsError, LoadError, VocabularyError
from .forms import load_vocabulary
from .load import Book, load
from .profile import Profile, ProfileError, load_profile
from .rules import RuleError, rule

__all__ = ["load", "audit", "Book", "AuditResult", "Profile", "load_profile", "rule", "EvaltoolsError",
           "LoadError", "ProfileError", "RuleError", "VocabularyError", "load_vocabulary", "Limits", "CellError",
           "__version__"]
