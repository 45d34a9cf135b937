"""evaltools: load, audit and report on 项目支出绩效自评表 workbooks."""

from .errors import EvaltoolsError, LoadError
from .load import Book, load

__version__ = "0.1.0"

__all__ = ["load", "Book", "EvaltoolsError", "LoadError", "__version__"]
