"""PDF documents (certificates of attendance, sign-in sheets), drawn with fpdf2 in DejaVu Sans.

fpdf2 is pure Python (its dependencies, Pillow, fontTools and defusedxml, ship wheels), so it installs from PyPI
with no system libraries, unlike WeasyPrint (Pango); it is maintained and small. The PDF core fonts hold only
Windows-1252, which would print 'Łukasz Wiśniewski' or 'Nguyễn' with question marks, so the documents embed
DejaVu Sans (in training_app/fonts, with its licence), which covers Latin, Greek and Cyrillic in full. It has no
Chinese, Japanese or Korean, so Droid Sans Fallback (beside it, Apache-2.0) draws those characters: '王小明',
'山田太郎' and '김민준' print as spelt, in bold text as in regular (the fallback has one weight). fpdf2 embeds only
the characters a document uses, so the 3 MB fallback adds a few kilobytes to a document that needs it. Reading it
takes fpdf2 a second or more, so a document loads it only when it meets a character DejaVu Sans lacks. A character
neither font has is drawn as its empty box.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF

FONT = "DejaVu"
FALLBACK_FONT = "DroidSansFallback"
FONTS = Path(__file__).resolve().parents[2] / "fonts"


class Document(FPDF):
    """fpdf2's FPDF with the fallback font loaded when first needed, and a line of fallback text that leaves the
    next line's font as it should be."""

    def _parse_chars(self, text: str, markdown: bool, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """fpdf2 splits every text it measures or draws here: load the fallback font before the first character
        DejaVu Sans lacks (fpdf2 looks for fallback glyphs only once a fallback font is set)."""
        if not self._fallback_font_ids and self.is_ttf_font and _lacks_a_character(self.current_font, text):
            self.add_font(FALLBACK_FONT, "", FONTS / "DroidSansFallback.ttf")
            self.set_fallback_fonts([FALLBACK_FONT], exact_match=False)  # bold falls back to its one weight too
        iterator: Iterator[Any] = super()._parse_chars(text, markdown, *args, **kwargs)
        return iterator

    def _render_styled_text_line(self, text_line: Any, *args: Any, **kwargs: Any) -> bool:
        """Works round fpdf2 2.8.9: a line whose first character is in the fallback font, drawn while the page has no
        font set, sets the page's font inside the line's `q ... Q`, which undoes it, yet fpdf2 counts it as set; the
        next line (the organisation after a Chinese name) was drawn in the font of before, its glyphs garbled.
        After a line with fallback characters the font is set again."""
        drawn: bool = super()._render_styled_text_line(text_line, *args, **kwargs)
        if any(fragment.font.fontkey in self._fallback_font_ids for fragment in text_line.fragments):
            self.current_font_is_set_on_page = False
        return drawn


def _lacks_a_character(font: Any, text: str) -> bool:
    return any(ord(character) not in font.cmap for character in text if character != "\n")


def new_pdf(title: str, orientation: Literal["portrait", "landscape"] = "landscape") -> FPDF:
    """An A4 document with its title and DejaVu Sans (regular and bold) ready as FONT, falling back to Droid Sans
    Fallback for Chinese, Japanese and Korean."""
    pdf = Document(orientation=orientation, format="A4")
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    return pdf
