"""Reading certificates back: text, embedded fonts and whether any glyph fell back to .notdef."""
import io
import re

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    """The PDF's text with every run of whitespace made one space (positioning adds stray spaces)."""
    return " ".join(" ".join(page.extract_text() for page in reader(data).pages).split())


def fonts_of(data: bytes) -> dict[str, dict]:
    """Each embedded font by its base name (without the subset tag), as its PDF dictionary."""
    fonts = {}
    for page in reader(data).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = font
    return fonts


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data()
    assert b"beginbfrange" not in cmap, "only bfchar mappings are read here"
    section = cmap[cmap.index(b"beginbfchar"):]
    return {int(glyph, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for glyph, text in BFCHAR.findall(section)}


def _has_outline(glyph_set, name: str) -> bool:
    pen = BoundsPen(glyph_set)
    glyph_set[name].draw(pen)
    return pen.bounds is not None


def _codepoints(text: str) -> str:
    return " ".join(f"U+{ord(character):04X}" for character in text)


def glyph_problems(data: bytes) -> list[str]:
    """Every glyph drawn that is .notdef, missing from its embedded font, or blank where text has ink.

    WeasyPrint draws a character no font has with a glyph id past the font's last glyph (a .notdef box);
    the ToUnicode map lists every glyph used, so each is looked up in the embedded font program itself.
    """
    problems = []
    for name, font in fonts_of(data).items():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
        embedded = TTFont(io.BytesIO(program))
        order, glyph_set = embedded.getGlyphOrder(), embedded.getGlyphSet()
        for glyph, text in _to_unicode(font).items():
            if glyph == 0 or glyph >= len(order):
                problems.append(f"{name}: no glyph for {_codepoints(text)}")
            elif text.strip() and not _has_outline(glyph_set, order[glyph]):
                problems.append(f"{name}: blank glyph {glyph} for {_codepoints(text)}")
    return problems
