"""The QR code on the rendered certificate scans to its verification URL (the page as a reader's camera sees it)."""
import pypdfium2
import zxingcpp

from lms.certificates.documents import render_certificate, verification_url
from tests.certificates.helpers import unsaved_certificate


def page_image(data: bytes, dpi: int = 150):
    page = pypdfium2.PdfDocument(data)[0]
    return page.render(scale=dpi / 72).to_pil()


def test_the_qr_code_on_the_rendered_page_decodes_to_the_verification_url():
    certificate = unsaved_certificate()
    results = zxingcpp.read_barcodes(page_image(render_certificate(certificate)))
    assert [result.text for result in results if result.format == zxingcpp.BarcodeFormat.QRCode] == [
        verification_url(certificate.serial)]


def test_the_qr_code_still_decodes_at_a_low_resolution_print():
    certificate = unsaved_certificate()
    results = zxingcpp.read_barcodes(page_image(render_certificate(certificate), dpi=72))
    assert verification_url(certificate.serial) in [result.text for result in results]
