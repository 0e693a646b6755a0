"""The Chinese font certificates embed: what they print most gets its lowest glyph ids (cheaper to embed)."""
from pathlib import Path

from lms.certificates.fonts import TEMPLATE_TEXT, catalogue_titles, characters_in_order


def test_the_printed_titles_come_right_after_the_templates_text_and_nothing_outside_gb2312_is_added():
    template = list(dict.fromkeys(TEMPLATE_TEXT))
    ordered = characters_in_order("农村和偏远地区普遍服务，项目𠀀")  # U+20000 is not in GB2312
    assert ordered[:len(template)] == template
    assert "".join(ordered[len(template):len(template) + 12]) == "农村和偏远地区普遍服务，"  # 项目 is the template's
    assert "𠀀" not in ordered and len(ordered) == len(characters_in_order())


def test_the_catalogues_chinese_titles_are_read_from_its_course_files(tmp_path):
    titles = catalogue_titles(Path(__file__).resolve().parents[2] / "courses")
    assert "农村和偏远地区普遍服务" in titles and "宽带基础设施规划" in titles
