"""evaltools: load, audit and report on 项目支出绩效自评表 workbooks."""

from ._version import __version__
from .audit import AuditResult, audit
from .bounds import CellError, Limits
from .errors import (BoundsError, EvaltoolsError, ExcelOutputError, ExecutorError, LoadError, MissingDependency,
                     NumberError,
                     OutputError, ProfileError, ReadError, ReportError, ResourceError, RuleError, UsageError,
                     VocabularyError)
from .forms import load_vocabulary
from .load import Book, load
from .profile import Profile, load_profile
from .rules import rule

__all__ = ["load", "audit", "Book", "AuditResult", "Profile", "load_profile", "rule", "load_vocabulary", "Limits",
           "CellError", "__version__",
           # every exception evaltools raises (errors.py)
           "EvaltoolsError", "LoadError", "ReadError", "BoundsError", "NumberError", "VocabularyError",
           "ProfileError", "RuleError", "ExecutorError", "ResourceError", "ReportError", "OutputError",
           "ExcelOutputError", "MissingDependency", "UsageError"]
