"""The form an instructor or programme coordinator writes an announcement in."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.core.forms import BaseForm


class AnnouncementForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the announcement a title.")),
                                                Length(max=200)])
    body = TextAreaField(
        _l("Text"), render_kw={"rows": 8},
        description=_l("Markdown: *emphasis*, **bold**, lists with -, links as [text](https://…)."),
        validators=[DataRequired(_l("Please write the announcement.")), Length(max=20000)])
    submit = SubmitField(_l("Post to the intake"))
