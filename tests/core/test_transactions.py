"""The transaction edge: a view's changes are kept when it succeeds, and nothing of them when it does not."""
from flask import abort, flash, redirect
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.core import transactions
from lms.core.transactions import Refused, tell_refusal
from lms.enrolment.operations import EnrolmentRefused
from lms.extensions import db
from tests.factories import make_user


def _answer(app, view, method="POST"):
    """Runs `view` behind the edge as a request would, and says whether its change was kept."""
    with app.test_request_context("/somewhere", method=method):
        user = make_user(Role.TRAINEE)
        db.session.commit()
        user_id = user.id

        def changing():
            db.session.get(User, user_id).full_name = "Changed By The View"
            db.session.flush()
            return view()

        try:
            status = transactions._committed(changing)().status_code
        except Exception as error:  # what Flask does with it: the app's error handlers answer
            status = app.make_response(app.handle_user_exception(error)).status_code
        db.session.expire_all()
        kept = db.session.scalar(select(User.full_name).where(User.id == user_id)) == "Changed By The View"
        return status, kept


def test_a_view_that_succeeds_keeps_its_change(app):
    assert _answer(app, lambda: redirect("/done")) == (302, True)
    assert _answer(app, lambda: "a page") == (200, True)


def test_a_page_opened_keeps_only_the_record_of_the_visit(app):
    assert _answer(app, lambda: "a page", method="GET") == (200, False)
    assert _answer(app, lambda: "a page", method="HEAD") == (200, False)

    def recording_the_visit():
        transactions.keep_visit_record()
        return "a lesson"

    assert _answer(app, recording_the_visit, method="GET") == (200, True)


def test_an_error_status_keeps_nothing(app):
    assert _answer(app, lambda: ("not right", 400)) == (400, False)

    def not_found():
        abort(404)

    assert _answer(app, not_found) == (404, False)


def test_a_refusal_told_on_a_redirect_keeps_nothing(app):
    def refused_then_redirected():
        flash(tell_refusal(EnrolmentRefused("No places are left.")), "error")
        return redirect("/back")

    assert _answer(app, refused_then_redirected) == (302, False)


def test_a_refusal_the_view_does_not_catch_keeps_nothing(app):
    def refused():
        raise EnrolmentRefused("No places are left.")

    assert _answer(app, refused) == (409, False)


def test_every_domain_refusal_is_one_rule_answered_409(client, app):
    from lms.accounts.operations import AccountRefused
    from lms.assessments.quizzes import AttemptRefused
    from lms.certificates.operations import CertificateRefused

    for refusal in (AccountRefused("email", "Taken."), AttemptRefused("Closed."), CertificateRefused("Revoked.")):
        assert isinstance(refusal, Refused) and refusal.message
    with app.test_request_context("/api/v1/anything"):
        response = app.make_response(app.handle_user_exception(EnrolmentRefused("No places are left.")))
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "conflict", "message": "No places are left."}
    with app.test_request_context("/enrolments/1"):
        response = app.make_response(app.handle_user_exception(EnrolmentRefused("No places are left.")))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "No places are left." in page and "Nothing of this request was saved" in page


def test_every_view_of_the_app_goes_through_the_edge(app):
    unwrapped = [endpoint for endpoint, view in app.view_functions.items()
                 if endpoint != "static" and view.__code__ is not transactions._committed(lambda: None).__code__]
    assert unwrapped == []


def test_the_page_after_a_told_refusal_shows_what_is_stored(app):
    with app.test_request_context("/somewhere", method="POST"):
        user = make_user(Role.TRAINEE, full_name="Stored Name")
        db.session.commit()

        def half_done_then_refused():
            user.full_name = "Half Done"
            db.session.flush()
            flash(tell_refusal(EnrolmentRefused("No places are left.")), "error")
            return user.full_name  # the page the view goes on to render

        response = transactions._committed(half_done_then_refused)()
        assert response.get_data(as_text=True) == "Stored Name"


def test_an_answer_no_view_gave_keeps_only_what_it_asked_to_keep(app):
    """A hook that signs out an idle session, or the handler of an expired form, keeps what was typed
    into the refused request and nothing else it changed."""
    def answered_by_a_hook(status, asks_to_keep):
        with app.test_request_context("/somewhere", method="POST"):
            user = make_user(Role.TRAINEE)
            db.session.commit()
            user_id = user.id
            user.full_name = "Changed By The Hook"
            db.session.flush()
            if asks_to_keep:
                transactions.keep_visit_record()
            app.process_response(app.make_response(("answered", status)))  # what Flask does after a hook's answer
            db.session.expire_all()
            return db.session.scalar(select(User.full_name).where(User.id == user_id)) == "Changed By The Hook"

    assert answered_by_a_hook(303, asks_to_keep=True)
    assert not answered_by_a_hook(303, asks_to_keep=False)
    assert not answered_by_a_hook(400, asks_to_keep=True)


def test_a_commit_that_fails_takes_back_the_success_message_of_its_view(app):
    with app.test_request_context("/somewhere", method="POST"):
        user = make_user(Role.TRAINEE)
        other = make_user(Role.TRAINEE)
        db.session.commit()
        flash("Waiting from an earlier page.", "info")
        user_id, taken = user.id, other.email

        def saving_a_duplicate():
            db.session.get(User, user_id).email = taken  # refused by the unique index, at the commit
            flash("Saved.", "success")
            return redirect("/done")

        response = app.make_response(app.handle_user_exception(_raised(transactions._committed(saving_a_duplicate))))
        assert response.status_code == 409
        from flask import get_flashed_messages

        assert get_flashed_messages() == ["Waiting from an earlier page."]


def _raised(call):
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("the commit should have failed")
