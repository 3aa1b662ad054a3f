"""CSV imports, one reader per kind, all or nothing (SPEC 4.3): `import_csv(kind, data)`."""

from .service import KINDS, ImportResult, import_csv

__all__ = ["KINDS", "ImportResult", "import_csv"]
