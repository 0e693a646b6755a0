"""The certificate PDF: every script's names in real glyphs, bilingual, A4 landscape, PDF/A-3b, deterministic."""
import pytest

from lms.certificates.documents import certificate_html, render_certificate, verification_url
from lms.certificates.serials import compact
from lms.core.pdf import render_pdf
from tests.certificates.helpers import SAMPLE_NAMES, unsaved_certificate
from tests.certificates.pdf_checks import fonts_of, glyph_problems, reader, text_of

# The font each script's name must be drawn with.
SCRIPT_FONTS = {"thai": "Noto-Sans-Thai", "khmer": "Noto-Sans-Khmer", "lao": "Noto-Sans-Lao",
                "burmese": "Noto-Sans-Myanmar", "chinese": "Noto-Sans-SC-Common", "vietnamese": "Noto-Serif"}


@pytest.mark.parametrize("script", SAMPLE_NAMES)
def test_each_scripts_name_comes_back_out_of_the_pdf_in_real_glyphs(script):
    latin, native, _country = SAMPLE_NAMES[script]
    data = render_certificate(unsaved_certificate(name_latin=latin, name_native=native))
    text = text_of(data)
    assert latin in text and native in text, text
    assert "\ufffd" not in text
    assert glyph_problems(data) == []
    assert SCRIPT_FONTS[script] in fonts_of(data)


def test_a_missing_glyph_would_be_caught():
    data = render_pdf("<p style='font-family: \"Noto Serif\"'>\u0378 Khmer ស្រី</p>")  # U+0378 is unassigned
    problems = glyph_problems(data)
    assert problems == ["Noto-Serif: no glyph for U+0378"]


def test_a_khmer_name_with_a_subscript_consonant_before_its_base_is_drawn_with_real_glyphs():
    # Coeng-ro is drawn before the consonant it follows; its glyph must exist and have ink.
    data = render_certificate(unsaved_certificate(name_latin="Sok Sreyneang", name_native="សុខ ស្រីនាង"))
    assert glyph_problems(data) == [] and "Noto-Sans-Khmer" in fonts_of(data)


def test_the_certificate_says_everything_in_english_and_chinese():
    certificate = unsaved_certificate()
    data = render_certificate(certificate)
    text = text_of(data)
    for expected in ("CERTIFICATE OF COMPLETION", "结业证书", "This is to certify that", "兹证明",
                     "ASEAN-China Training Programme for Telecom Managers and Technicians",
                     "中国—东盟电信管理与技术人员培训项目",
                     "Universal Service for Rural and Remote Areas", "农村和偏远地区普遍服务",
                     "40 hours", "40 学时", "4 January 2027 – 26 March 2027", "2027年1月4日至2027年3月26日",
                     "Face to face, Bangkok, Thailand", "面授", "Programme coordinator", "项目协调人",
                     "Instructor", "授课教师", "Issued on 2 April 2027", "2027年4月2日", certificate.serial):
        assert expected in text, expected
    url = verification_url(certificate.serial)
    assert url.endswith(f"/verify/{certificate.serial}")
    assert url in text.replace("/ ", "/")  # printed in full (it may wrap after /verify/)
    html = certificate_html(certificate)
    assert html.count("<img") == 1 and "<svg" not in html  # the QR code is the one image, generated per render
    assert glyph_problems(data) == []


def test_the_pdf_is_a4_landscape_and_pdf_a_3b():
    pdf = reader(render_certificate(unsaved_certificate()))
    [page] = pdf.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    xmp = pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert pdf.trailer["/Root"]["/OutputIntents"]


def test_the_same_certificate_always_renders_to_the_same_bytes():
    certificate = unsaved_certificate()
    first, second = render_certificate(certificate), render_certificate(certificate)
    assert first == second
    pdf = reader(first)
    assert pdf.trailer["/ID"][0] == compact(certificate.serial)
    assert pdf.metadata["/CreationDate"].startswith("D:20270402093000")
