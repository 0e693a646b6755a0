"""The quota report's PDF fits its pages in every language it is printed in: no cut column, no box over another."""
import pytest
from flask_babel import force_locale

from lms.core.i18n import LANGUAGES
from lms.core.pdf import render_document
from lms.programme.models import Country
from lms.reports.exports import report_html
from lms.reports.queries import quota_report
from tests.pdf_layout import document_problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_with_its_longest_labels_stays_inside_its_pages(app, small, db_session, language):
    # The longest country name the list may hold, so its pages' headings and tables are at their widest.
    country = db_session.query(Country).filter_by(code="TH").one()
    country.name = "Lao People's Democratic Republic of the Mekong Subregion"
    db_session.flush()
    with app.test_request_context(), force_locale(language):
        document = render_document(report_html(quota_report(small.programme)))
    assert document_problems(document) == []
