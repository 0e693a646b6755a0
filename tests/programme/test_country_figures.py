"""The coordinators' home figures count the programme's own enrolments, as the quota check does."""
from lms.accounts.models import Role
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import people_holding_places
from lms.programme.queries import country_figures
from tests.factories import country, make_intake, make_programme, make_user


def test_an_enrolment_in_another_programme_does_not_count(db_session):
    this, other = make_programme(), make_programme()
    for programme, state in ((this, EnrolmentState.REQUESTED), (other, EnrolmentState.APPROVED)):
        intake, trainee = make_intake(programme), make_user(Role.TRAINEE, country_code="TH")
        db_session.add(Enrolment(intake=intake, user=trainee, state=state))
    db_session.flush()
    thailand = country("TH")
    figures = country_figures(this, thailand.id)[0]
    assert (figures.requested, figures.holding_slot) == (1, 0)
    assert figures.holding_slot == people_holding_places(this.id, thailand.id)
    assert country_figures(other, thailand.id)[0].holding_slot == 1
