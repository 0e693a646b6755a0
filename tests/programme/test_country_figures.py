"""The coordinators' home figures count the programme's own enrolments, as the quota check does."""
from lms.accounts.models import Role
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.programme.quota import people_holding_places
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
    assert (figures.requested, figures.holding_place) == (1, 0)
    assert figures.holding_place == people_holding_places(this.id, thailand.id)
    assert country_figures(other, thailand.id)[0].holding_place == 1


def test_places_left_and_still_to_certify_answer_different_questions(db_session):
    from lms.programme.quota import places_left, still_to_certify

    # Thailand holds 4 places of 10 and has certified 1: 6 places can still be given, 9 people are still to certify.
    assert places_left(10, 4) == 6 and still_to_certify(10, 1) == 9
    # Neither goes below zero when an override placed more people than the allocation.
    assert places_left(3, 5) == 0 and still_to_certify(3, 5) == 0
