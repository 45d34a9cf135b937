"""evaltools: load, audit and report on 项目支出绩效自评表 workbooks."""

from .audit import AuditResult, audit
from .bounds import CellError, Limits
from .errors import EvaltoolsError, LoadError, VocabularyError
from .forms import load_vocabulary
from .load import Book, load
from .profile import Profile, ProfileError, load_profile
from .rules import RuleError, rule

__version__ = "0.1.0"

__all__ = ["load", "audit", "Book", "AuditResult", "Profile", "load_profile", "rule", "EvaltoolsError",
           "LoadError", "ProfileError", "RuleError", "VocabularyError", "load_vocabulary", "Limits", "CellError",
           "__version__"]
