"""Fonts of the PDF export: Noto Sans with fallbacks for every script a report may hold.

Debian's packages (installed by the Dockerfile and `make test`): fonts-noto-core (Noto Sans for
Latin, Latin-extended, Greek and Cyrillic; Noto Sans Arabic for Arabic and Persian; Noto Sans
Symbols 1 and 2), fonts-noto-cjk (Noto Sans CJK, the SC face of the collection: its glyphs
cover Chinese, Japanese kana and Korean Hangul; Han characters take the simplified-Chinese
forms), fonts-noto-color-emoji (Noto Color Emoji, a CBDT bitmap font that fpdf2 embeds as a
Type 3 font) and fonts-dejavu-core (DejaVu Sans: the last fallback, and the main font when
Noto Sans is missing). fpdf2 picks, glyph by glyph, the first fallback that has a glyph the
main font lacks; text shaping (uharfbuzz) joins Arabic letters and lays right-to-left runs out.

A character that no loaded font has would print as an empty box: `uncovered` finds them so the
export logs them instead of dropping them silently.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

logger = logging.getLogger(__name__)

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CJK_FACE = 2  # Noto Sans CJK SC in the collection (JP, KR, SC, TC, HK, then the Mono faces)
MAIN = "NotoSans"
STYLES = ("", "B", "I", "BI")


@dataclass(frozen=True)
class FontFace:
    family: str
    style: str
    path: Path
    package: str
    face: int = 0


MAIN_FACES = (
    FontFace(MAIN, "", NOTO / "NotoSans-Regular.ttf", "fonts-noto-core"),
    FontFace(MAIN, "B", NOTO / "NotoSans-Bold.ttf", "fonts-noto-core"),
    FontFace(MAIN, "I", NOTO / "NotoSans-Italic.ttf", "fonts-noto-core"),
    FontFace(MAIN, "BI", NOTO / "NotoSans-BoldItalic.ttf", "fonts-noto-core"),
)
DEJAVU_FACES = (
    FontFace("DejaVu", "", DEJAVU / "DejaVuSans.ttf", "fonts-dejavu-core"),
    FontFace("DejaVu", "B", DEJAVU / "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    FontFace("DejaVu", "I", DEJAVU / "DejaVuSans-Oblique.ttf", "fonts-dejavu-core"),
    FontFace("DejaVu", "BI", DEJAVU / "DejaVuSans-BoldOblique.ttf", "fonts-dejavu-core"),
)
MONO = "DejaVuMono"
MONO_FACES = (
    FontFace(MONO, "", DEJAVU / "DejaVuSansMono.ttf", "fonts-dejavu-core"),
    FontFace(MONO, "B", DEJAVU / "DejaVuSansMono-Bold.ttf", "fonts-dejavu-core"),
    FontFace(MONO, "I", DEJAVU / "DejaVuSansMono-Oblique.ttf", "fonts-dejavu-core"),
    FontFace(MONO, "BI", DEJAVU / "DejaVuSansMono-BoldOblique.ttf", "fonts-dejavu-core"),
)
# In fallback order: a glyph comes from the first of these that has it.
FALLBACK_FACES = (
    FontFace("NotoArabic", "", NOTO / "NotoSansArabic-Regular.ttf", "fonts-noto-core"),
    FontFace("NotoArabic", "B", NOTO / "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    FontFace("NotoCJK", "", NOTO_CJK / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk", CJK_FACE),
    FontFace("NotoCJK", "B", NOTO_CJK / "NotoSansCJK-Bold.ttc", "fonts-noto-cjk", CJK_FACE),
    FontFace("NotoEmoji", "", NOTO / "NotoColorEmoji.ttf", "fonts-noto-color-emoji"),
    FontFace("NotoSymbols", "", NOTO / "NotoSansSymbols-Regular.ttf", "fonts-noto-core"),
    FontFace("NotoSymbols2", "", NOTO / "NotoSansSymbols2-Regular.ttf", "fonts-noto-core"),
    *DEJAVU_FACES,
)


@dataclass(frozen=True)
class Families:
    main: str
    mono: str  # code blocks: DejaVu Sans Mono, else the main family


@lru_cache(maxsize=32)
def _codepoints(path: Path, face: int) -> frozenset[int]:
    """The characters a font file maps to glyphs (read once per process)."""
    with TTFont(str(path), fontNumber=face, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@lru_cache(maxsize=1)
def _warn_missing_packages(packages: tuple[str, ...]) -> None:
    logger.warning("PDF export: fallback fonts missing, install %s", " ".join(packages))


def _main_faces() -> list[FontFace]:
    if all(face.path.exists() for face in MAIN_FACES):
        return list(MAIN_FACES)
    if all(face.path.exists() for face in DEJAVU_FACES):
        logger.warning("PDF export: Noto Sans missing (fonts-noto-core); using DejaVu Sans")
        return list(DEJAVU_FACES)
    raise RuntimeError(
        "PDF export needs Noto Sans (fonts-noto-core) or DejaVu Sans (fonts-dejavu-core)."
    )


def fallbacks_for(chars: set[str], main_family: str) -> list[FontFace]:
    """The fallback faces the text needs: a family is added only when it has a glyph that
    the main font and the fallbacks before it lack (each added face costs time at output)."""
    candidates = [face for face in FALLBACK_FACES if face.family != main_family]
    missing = tuple(sorted({f.package for f in candidates if not f.path.exists()}))
    if missing:
        _warn_missing_packages(missing)
    main = next(f for f in (*MAIN_FACES, *DEJAVU_FACES) if f.family == main_family)
    wanted = {ord(c) for c in chars if _needs_glyph(c)} - _codepoints(main.path, main.face)
    chosen: list[FontFace] = []
    families: set[str] = set()
    for face in candidates:
        if not face.path.exists():
            continue
        if face.family in families:  # the bold face of a family already chosen
            chosen.append(face)
            continue
        found = wanted & _codepoints(face.path, face.face)
        if found:
            chosen.append(face)
            families.add(face.family)
            wanted -= found
    return chosen


def install_fonts(pdf: FPDF, chars: set[str], *, mono: bool = True) -> Families:
    """Add the main font, the monospace font (when `mono`) and the fallbacks `chars` needs
    to `pdf`, and turn text shaping on.

    Raises when neither Noto Sans nor DejaVu Sans is installed (no Unicode text at all).
    """
    main = _main_faces()
    mono_faces = [f for f in MONO_FACES if f.path.exists()] if mono else []
    if len(mono_faces) != len(MONO_FACES):
        mono_faces = []
    fallbacks = fallbacks_for(chars, main[0].family)
    for face in [*main, *mono_faces, *fallbacks]:
        pdf.add_font(
            face.family, style=face.style, fname=str(face.path), collection_font_number=face.face
        )
    # exact_match=False: a bold run may take a regular fallback when no bold face exists.
    pdf.set_fallback_fonts(list(dict.fromkeys(f.family for f in fallbacks)), exact_match=False)
    pdf.set_text_shaping(True)
    return Families(main[0].family, MONO if mono_faces else main[0].family)


def _needs_glyph(char: str) -> bool:
    """Whether a character is drawn (controls, bidi and joiner marks, selectors are not)."""
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zl", "Zp") or char.isspace():
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def uncovered(pdf: FPDF, chars: set[str]) -> list[str]:
    """The characters of `chars` that no font added to `pdf` has a glyph for, sorted."""
    covered: set[int] = set()
    for font in pdf.fonts.values():
        cmap = getattr(font, "cmap", None)
        if cmap:
            covered.update(cmap)
    return sorted(c for c in chars if _needs_glyph(c) and ord(c) not in covered)
