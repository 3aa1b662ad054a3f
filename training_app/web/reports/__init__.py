"""The reports pages: trained by area, attendance by authority, coverage, and their workbooks.

`routes` holds the blueprint; the other modules add their views to it when the package is imported.
"""

from . import attendance, coverage, downloads  # noqa: F401
