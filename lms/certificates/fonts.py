"""The Chinese font certificates embed: Noto Sans CJK SC cut down to GB2312, as TrueType, common glyphs first.

WeasyPrint keeps glyph ids when it subsets a font, so the cost of embedding a few characters grows with
the highest glyph id used, and CFF outlines (what Noto CJK ships) are slower to subset than TrueType.
With the full font a certificate pays about 40 ms and 400 kB (before compression) for a dozen Chinese
characters; with this one about 2 ms. GB2312's 6,763 characters cover Chinese headings and nearly every
Chinese name; a rarer character falls through to the full system font, slower but just as right.
After the template's own text come the Chinese titles this deployment prints (its catalogue's courses and
its programmes): rebuild the font when they change, or their characters keep their higher GB2312 ids
(still right, a little slower and larger).
"""
from pathlib import Path

from lms.core.pdf import STATIC_ROOT

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_INDEX = 2  # Noto Sans CJK SC within the collection (fc-list -f '%{family[0]} %{index}\n')
TARGET = STATIC_ROOT / "fonts" / "NotoSansSC-Common-Regular.ttf"

# What every certificate prints, so these glyphs get the lowest ids.
TEMPLATE_TEXT = "结业证书兹证明已完成以下课程的学习学时年月日至面授在线混合式项目协调人授课教师颁发日期证书编号验证网址0123456789·—"


def _gb2312(rows: range) -> list[str]:
    characters = []
    for row in rows:
        for cell in range(0xA1, 0xFF):
            try:
                characters.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return characters


def characters_in_order(printed_text: str = "") -> list[str]:
    """The template's characters, then those of `printed_text` that GB2312 has, ASCII, GB2312 symbols, the
    3,755 level-1 hanzi, then the 3,008 of level 2."""
    gb2312 = [*_gb2312(range(0xA1, 0xB0)), *_gb2312(range(0xB0, 0xD8)), *_gb2312(range(0xD8, 0xF8))]
    known = set(gb2312)
    ordered = [*TEMPLATE_TEXT, *(character for character in printed_text if character in known),
               *map(chr, range(0x20, 0x7F)), *gb2312]
    return list(dict.fromkeys(ordered))


def catalogue_titles(courses_dir: Path) -> str:
    """The Chinese titles of the catalogue's courses (courses/<slug>/course.yaml), as the certificates print them."""
    from lms.catalogue.course_files import course_folders, read_course

    return "".join(read_course(folder).title_zh for folder in course_folders(courses_dir))


def _to_truetype(font) -> None:
    """Replaces the CFF outlines by quadratic TrueType ones."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attribute in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                      "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                      "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def _common_glyphs_first(font, characters: list[str]) -> None:
    cmap = font.getBestCmap()
    names = [".notdef", *(cmap[ord(character)] for character in characters if ord(character) in cmap),
             *font.getGlyphOrder()]
    order = list(dict.fromkeys(names))
    font.setGlyphOrder(order)
    font["glyf"].glyphOrder = order


def build_chinese_font(source: Path = SOURCE, target: Path = TARGET, printed_text: str = "") -> Path:
    """Writes the font; `printed_text` (the Chinese titles certificates print) gets the lowest ids after the
    template's text."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    characters = characters_in_order(printed_text)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    # WeasyPrint drops GSUB and GPOS too; horizontal Chinese needs neither, nor the vertical metrics, which
    # WeasyPrint would otherwise embed for every glyph id up to the highest printed (4 bytes each).
    options.drop_tables += ["GSUB", "GPOS", "vhea", "vmtx", "VORG"]
    font = TTFont(source, fontNumber=SOURCE_INDEX)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(characters))
    subsetter.subset(font)
    _to_truetype(font)
    _common_glyphs_first(font, characters)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    return target
