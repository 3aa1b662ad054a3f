"""PDF documents (certificates of attendance, sign-in sheets), drawn with fpdf2 in DejaVu Sans.

fpdf2 is pure Python (its dependencies, Pillow, fontTools and defusedxml, ship wheels), so it installs from PyPI
with no system libraries, unlike WeasyPrint (Pango); it is maintained and small. The PDF core fonts hold only
Windows-1252, which would print 'Łukasz Wiśniewski' or 'Nguyễn' with question marks, so the documents embed
DejaVu Sans (in training_app/fonts, with its licence), which covers Latin, Greek and Cyrillic in full; fpdf2
embeds only the characters a document uses. A character the font lacks is drawn as its empty box.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fpdf import FPDF

FONT = "DejaVu"
FONTS = Path(__file__).resolve().parents[2] / "fonts"


def new_pdf(title: str, orientation: Literal["portrait", "landscape"] = "landscape") -> FPDF:
    """An A4 document with its title and DejaVu Sans (regular and bold) ready as FONT."""
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    return pdf
