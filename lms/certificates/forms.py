"""Forms for issuing by hand, re-issuing after a name correction, and revoking certificates."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts import names
from lms.core.forms import BaseForm, no_hidden_characters

REASON_REQUIRED = _l("Please give the reason; it is kept in the audit log.")
REASON_CHECKS = [DataRequired(REASON_REQUIRED), Length(max=1000)]


class IssueForm(BaseForm):
    reason = TextAreaField(_l("Reason for issuing by hand"), validators=REASON_CHECKS,
                           description=_l("For example: completion assessed outside the platform. An active "
                                          "enrolment is marked completed at the same time."))
    submit = SubmitField(_l("Issue the certificate"))


class ReissueForm(BaseForm):
    name_latin = StringField(_l("Name in Latin script"),
                             validators=[DataRequired(_l("Please give the name.")), Length(max=120),
                                         no_hidden_characters, names.latin_name],
                             description=names.LATIN_NAME_HINT_STAFF)
    name_native = StringField(_l("Name in the trainee's own script (optional)"),
                              validators=[Optional(), Length(max=120), no_hidden_characters, names.native_name],
                              description=names.NATIVE_NAME_HINT_STAFF)
    reason = TextAreaField(_l("Reason for the correction"), validators=REASON_CHECKS)
    submit = SubmitField(_l("Re-issue with a new serial"))


class RevokeForm(BaseForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=REASON_CHECKS,
                           description=_l("Shown to anyone who verifies this certificate."))
    submit = SubmitField(_l("Revoke the certificate"))
