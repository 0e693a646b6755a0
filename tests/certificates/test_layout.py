"""The certificate fits its page at the longest values its fields accept, in every script a name is written in."""
import pytest

from lms.certificates.documents import STYLESHEETS, certificate_html, certificate_images
from lms.core.pdf import render_document
from tests.certificates.helpers import unsaved_certificate
from tests.pdf_layout import Rect, document_problems, line_counts, printed_blocks

# Words of each script, repeated up to a field's length: real text, so shaping and line breaking are real.
WORDS = {
    "latin": "Bounthavy Phetsamone Xaysomboun Vilayvanh ",
    "vietnamese": "Nguyễn Thị Phương Thảo Trường Đại học Bưu chính Viễn thông ",
    "thai": "สมชายวงศ์สวัสดิ์กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ",
    "khmer": "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍សេវាសកលសម្រាប់តំបន់ជនបទ",
    "lao": "ກະຊວງເຕັກໂນໂລຊີແລະການສື່ສານການບໍລິການທົ່ວໄປສຳລັບເຂດຊົນນະບົດ",
    "burmese": "ပို့ဆောင်ရေးနှင့်ဆက်သွယ်ရေးဝန်ကြီးဌာနကျေးလက်ဒေသဝန်ဆောင်မှု",
    "chinese": "中国东盟电信管理与技术人员培训项目农村和偏远地区普遍服务",
}


def filled(words: str, length: int) -> str:
    return (words * (length // len(words) + 1))[:length].strip()


@pytest.mark.parametrize("script", WORDS)
def test_every_field_at_its_longest_stays_in_its_place(script):
    words = WORDS[script]
    certificate = unsaved_certificate(
        name_latin=filled(WORDS["latin"], 120), name_native=filled(words, 120),
        course_title=filled(WORDS["latin"] if script == "chinese" else words, 200),
        course_title_zh=filled(WORDS["chinese"], 100), location=filled(words, 200),
        programme_title=filled(WORDS["latin"], 200), programme_title_zh=filled(WORDS["chinese"], 100),
        delivery_mode="face_to_face", course_hours=9999)
    document = render_document(certificate_html(certificate), stylesheets=STYLESHEETS,
                               images=certificate_images(certificate))
    assert len(document.pages) == 1
    assert document_problems(document) == []
    printed = printed_blocks(document.pages[0])
    for block in ("p.facts", "p.signature.coordinator", "p.signature.instructor", "p.issued", "img.qr", "p.serial",
                  "p.url"):
        assert block in printed, f"{block} is not on the page (pushed off it by the text above)"


def test_a_newline_stored_in_a_field_is_a_space_on_the_page_not_a_line_break():
    # The page breaks its paragraphs' lines at their newlines; one stored in a name or title must not.
    certificate = unsaved_certificate(name_latin="Somchai\nWongsawat", name_native="สมชาย\r\nวงศ์สวัสดิ์",
                                      course_title="Universal Service\r\nfor Rural Areas")
    document = render_document(certificate_html(certificate), stylesheets=STYLESHEETS,
                               images=certificate_images(certificate))
    lines = line_counts(document.pages[0])
    assert (lines["p.name"], lines["p.native"], lines["p.course"]) == (1, 1, 1)
    assert (lines["p.programme"], lines["p.facts"], lines["p.issued"]) == (2, 2, 2)  # English, then Chinese


def test_the_check_sees_an_overlap_and_a_line_off_the_page():
    html = ("<p style='position:absolute; top:0; left:0'>first</p>"
            "<p style='position:absolute; top:0; left:0'>second</p>"
            "<p style='white-space:nowrap'>" + "wide " * 80 + "</p>")
    problems = document_problems(render_document(html))
    assert any("overlaps" in problem for problem in problems)
    assert any("leaves the page" in problem for problem in problems)
    assert Rect("a", 0, 0, 10, 10).overlaps(Rect("b", 5, 5, 15, 15))
    assert not Rect("a", 0, 0, 10, 10).overlaps(Rect("b", 10, 0, 20, 10))
