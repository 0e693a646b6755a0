"""Attendance at face-to-face sessions, on one sheet for the whole intake, and completion once every condition,
attendance included, is met."""
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from tests.queries import counted_queries, selects
from tests.conftest import csrf_token
from tests.factories import make_intake, make_programme, make_user


@pytest.fixture
def course(db_session) -> Course:
    return db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))


@pytest.fixture
def intake(course):
    intake = make_intake(make_programme(), course, mode=DeliveryMode.FACE_TO_FACE,
                         instructors=[make_user(Role.INSTRUCTOR)])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=20), today + timedelta(days=20)
    intake.attendance_threshold = 75
    db.session.flush()
    return intake


def ready_to_complete(intake, name: str) -> Enrolment:
    """An active enrolment with every required lesson done and a weighted grade of 100."""
    enrolment = Enrolment(intake=intake, user=make_user(full_name=name), state=EnrolmentState.ACTIVE)
    db.session.add(enrolment)
    course = intake.course
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=utcnow()))
    for assessment in course.assessments:
        if assessment.kind is AssessmentKind.QUIZ:
            db.session.add(Attempt(enrolment=enrolment, assessment=assessment, number=1, score=100,
                                   submitted_at=utcnow()))
        else:
            db.session.add(Submission(enrolment=enrolment, assessment=assessment, state=SubmissionState.RETURNED,
                                      submitted_at=utcnow(), times_submitted=1, score=100, feedback="Fine"))
    db.session.flush()
    return enrolment


def url_of(intake) -> str:
    return f"/teach/intakes/{intake.id}/attendance"


def save_sheet(client, intake, marks: dict, new: dict | None = None, shown: list | None = None, **extra):
    """Posts the attendance sheet: `marks` maps a session (or "new") to who was present there; every existing
    session is on the sheet unless `shown` says otherwise."""
    sessions = sessions_of(intake) if shown is None else shown
    data = {"csrf_token": csrf_token(client, url_of(intake)), "shown": [str(session.id) for session in sessions],
            "present": [f"{'new' if key == 'new' else key.id}:{enrolment.id}"
                        for key, present in marks.items() for enrolment in present],
            **{key: value for key, value in (new or {}).items()}, **extra}
    return client.post(url_of(intake), data=data)


def add_session(client, intake, present: list[Enrolment], held_on=None, title="Day 1: site visit", **details):
    """Adds a session from the sheet, keeping every earlier session's marks as they are."""
    held_on = held_on or intake.starts_on + timedelta(days=1)
    kept = {session: [row.enrolment for row in session.attendance if row.is_present]
            for session in sessions_of(intake)}
    return save_sheet(client, intake, {**kept, "new": present},
                      new={"held_on": held_on.isoformat(), "title": title, **details})


def sessions_of(intake) -> list[IntakeSession]:
    return list(db.session.scalars(select(IntakeSession).where(IntakeSession.intake_id == intake.id)
                                   .order_by(IntakeSession.id)))


def test_the_page_lists_trainees_with_a_checkbox_each(signed_in_client, intake):
    ready_to_complete(intake, "Chanthou Keo")
    client = signed_in_client(intake.instructors[0])
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert "Chanthou Keo" in page and 'type="checkbox"' in page
    assert "at least 75% of the sessions" in page


def test_attendance_at_the_threshold_completes_and_below_it_does_not(signed_in_client, intake):
    present_all = ready_to_complete(intake, "Present Pich")
    missed_one = ready_to_complete(intake, "Missing Malee")
    client = signed_in_client(intake.instructors[0])

    assert add_session(client, intake, [present_all], title="Day 1").status_code == 302
    [day_one] = sessions_of(intake)
    assert {(row.enrolment_id, row.is_present) for row in day_one.attendance} == {
        (present_all.id, True), (missed_one.id, False)}
    # One session, attended: 100% for one, 0% for the other.
    assert present_all.state is EnrolmentState.COMPLETED
    assert present_all.completed_at is not None and present_all.final_grade == 100
    assert missed_one.state is EnrolmentState.ACTIVE

    for day in (2, 3, 4):
        add_session(client, intake, [missed_one], held_on=intake.starts_on + timedelta(days=day), title=f"Day {day}")
    # Three of four sessions: exactly the 75% threshold.
    assert missed_one.state is EnrolmentState.COMPLETED and missed_one.final_grade == 100


def test_below_the_threshold_an_enrolment_stays_active(signed_in_client, intake):
    enrolment = ready_to_complete(intake, "Sometimes Sok")
    client = signed_in_client(intake.instructors[0])
    add_session(client, intake, [], title="Day 1")
    add_session(client, intake, [enrolment], held_on=intake.starts_on + timedelta(days=2), title="Day 2")
    assert enrolment.state is EnrolmentState.ACTIVE  # 1 of 2 sessions: 50%
    assert enrolment.completed_at is None and enrolment.final_grade is None


def test_correcting_a_session_records_the_change_and_completes(signed_in_client, intake):
    enrolment = ready_to_complete(intake, "Late Lin")
    client = signed_in_client(intake.instructors[0])
    add_session(client, intake, [])
    [session] = sessions_of(intake)
    assert enrolment.state is EnrolmentState.ACTIVE
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert f'name="present" value="{session.id}:{enrolment.id}"' in page
    assert save_sheet(client, intake, {session: [enrolment]}).status_code == 302
    assert db.session.scalar(select(Attendance.is_present).where(Attendance.session_id == session.id)) is True
    assert enrolment.state is EnrolmentState.COMPLETED


def test_a_session_date_outside_the_intake_is_refused(signed_in_client, intake):
    ready_to_complete(intake, "Someone")
    client = signed_in_client(intake.instructors[0])
    response = add_session(client, intake, [], held_on=intake.ends_on + timedelta(days=1), title="After the end")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a date within the intake" in page and "After the end" in page
    assert sessions_of(intake) == []


def test_a_session_needs_a_title(signed_in_client, intake):
    client = signed_in_client(intake.instructors[0])
    response = add_session(client, intake, [], title="")
    assert response.status_code == 400
    assert "Please give the session a title." in response.get_data(as_text=True)


def test_someone_outside_the_roster_cannot_be_marked_present(signed_in_client, intake):
    client = signed_in_client(intake.instructors[0])
    stranger = Enrolment(intake=make_intake(intake.programme, intake.course), user=make_user(),
                         state=EnrolmentState.ACTIVE)
    db.session.add(stranger)
    db.session.flush()
    assert add_session(client, intake, [stranger]).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_online_intakes_take_no_attendance(signed_in_client, course):
    online = make_intake(make_programme(), course, instructors=[make_user(Role.INSTRUCTOR)])
    client = signed_in_client(online.instructors[0])
    response = client.get(url_of(online))
    assert response.status_code == 404
    assert "taught online" in response.get_data(as_text=True)


def test_only_the_intakes_instructors_record_attendance(signed_in_client, intake):
    enrolment = ready_to_complete(intake, "Guarded Gan")
    another_instructor = signed_in_client(Role.INSTRUCTOR)
    assert another_instructor.get(url_of(intake)).status_code == 404
    coordinator = signed_in_client(Role.PROGRAMME_COORDINATOR)
    page = coordinator.get(url_of(intake)).get_data(as_text=True)
    assert "Add a session" not in page
    assert add_session(coordinator, intake, [enrolment]).status_code == 403
    trainee = signed_in_client(enrolment.user)
    assert trainee.get(url_of(intake)).status_code == 403
    assert sessions_of(intake) == []


def test_saving_attendance_runs_as_many_queries_for_a_large_class_as_for_a_small_one(signed_in_client, intake):

    def statements_of_saving(trainees: int) -> int:
        people = [make_user(full_name=f"T{n}") for n in range(trainees)]
        enrolments = [Enrolment(intake=intake, user=person, state=EnrolmentState.ACTIVE) for person in people]
        db.session.add_all(enrolments)
        db.session.flush()
        url = url_of(intake)
        shown = sessions_of(intake)
        data = {"csrf_token": csrf_token(client, url), "title": f"Day {trainees}",
                "held_on": (intake.starts_on + timedelta(days=trainees)).isoformat(),
                "shown": [str(session.id) for session in shown],
                "present": [f"{key}:{e.id}" for e in enrolments for key in ["new", *(s.id for s in shown)]]}
        with counted_queries() as statements:
            assert client.post(url, data=data).status_code == 302
        return len(selects(statements))

    client = signed_in_client(intake.instructors[0])
    statements_of_saving(1)  # so that both measured saves find earlier sessions on the page
    assert statements_of_saving(3) == statements_of_saving(9)


# The whole intake on one sheet

def two_sessions(intake) -> list[IntakeSession]:
    sessions = [IntakeSession(intake=intake, held_on=intake.starts_on + timedelta(days=day), title=f"Day {day}")
                for day in (1, 2)]
    db.session.add_all(sessions)
    db.session.flush()
    return sessions


def presence(session: IntakeSession) -> dict[int, bool]:
    return dict(db.session.execute(select(Attendance.enrolment_id, Attendance.is_present)
                                   .where(Attendance.session_id == session.id)).all())


def test_changing_two_sessions_and_saving_once_keeps_both(signed_in_client, intake):
    anna, bao = ready_to_complete(intake, "Anna"), ready_to_complete(intake, "Bao")
    day1, day2 = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {day1: [anna], day2: [anna, bao]})
    assert response.status_code == 302
    assert presence(day1) == {anna.id: True, bao.id: False}
    assert presence(day2) == {anna.id: True, bao.id: True}
    assert "Attendance saved for 2 sessions." in client.get(url_of(intake)).get_data(as_text=True)
    # Both sessions attended: 100% for Anna, who had everything else done.
    assert anna.state is EnrolmentState.COMPLETED and bao.state is EnrolmentState.ACTIVE


def test_a_new_session_and_earlier_ones_are_saved_together_with_time_and_place(signed_in_client, intake):
    anna = ready_to_complete(intake, "Anna")
    [day1, _day2] = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {day1: [anna], "new": [anna]}, new={
        "held_on": (intake.starts_on + timedelta(days=3)).isoformat(), "starts_at": "09:30",
        "place": "Room 4, Vientiane campus", "title": "Day 3: field visit"})
    assert response.status_code == 302
    added = sessions_of(intake)[-1]
    assert (added.title, added.starts_at.isoformat(), added.place) == ("Day 3: field visit", "09:30:00",
                                                                      "Room 4, Vientiane campus")
    assert presence(added) == {anna.id: True} and presence(day1) == {anna.id: True}
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert "Day 3: field visit" in page and "09:30" in page and "Room 4, Vientiane campus" in page


def test_each_session_shows_its_date_time_and_place(signed_in_client, intake):
    ready_to_complete(intake, "Anna")
    intake.location = "Hanoi Telecom Centre"
    day1, day2 = two_sessions(intake)
    day1.starts_at, day2.place = time(14, 0), "Field site, Lao Cai"
    db.session.flush()
    client = signed_in_client(intake.instructors[0])
    page = client.get(url_of(intake)).get_data(as_text=True)
    first, second = page.index("<strong>Day 1</strong>"), page.index("<strong>Day 2</strong>")
    assert "14:00" in page[first:second] and "Hanoi Telecom Centre" in page[first:second]
    assert "Field site, Lao Cai" in page[second:]


def test_mark_all_present_saves_the_sheet_with_everyone_at_that_session(signed_in_client, intake):
    anna, bao = ready_to_complete(intake, "Anna"), ready_to_complete(intake, "Bao")
    day1, day2 = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert f'<button type="submit" name="mark_all" value="{day2.id}"' in page  # a plain button: no script needed
    response = save_sheet(client, intake, {day1: [bao]}, mark_all=str(day2.id))
    assert response.status_code == 302
    assert presence(day1) == {anna.id: False, bao.id: True}
    assert presence(day2) == {anna.id: True, bao.id: True}


def test_an_error_is_shown_at_the_top_and_the_ticks_are_kept(signed_in_client, intake):
    anna = ready_to_complete(intake, "Anna")
    day1, _day2 = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {day1: [anna], "new": [anna]},
                          new={"held_on": (intake.starts_on + timedelta(days=3)).isoformat(), "title": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    message = page.index("Please give the session a title.")
    assert message < page.index("<table") and message < page.index('name="title"')  # above the sheet
    assert page.index('role="alert"') < page.index("Trainees need to attend")
    assert "Nothing was saved." in page
    assert f'value="{day1.id}:{anna.id}" checked' in page and f'value="new:{anna.id}" checked' in page
    assert presence(day1) == {} and len(sessions_of(intake)) == 2


def test_a_mark_for_someone_off_the_roster_is_refused_and_nothing_is_saved(signed_in_client, intake):
    anna = ready_to_complete(intake, "Anna")
    day1, day2 = two_sessions(intake)
    stranger = Enrolment(intake=make_intake(intake.programme, intake.course), user=make_user(),
                         state=EnrolmentState.ACTIVE)
    db.session.add(stranger)
    db.session.flush()
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {day1: [anna], day2: [stranger]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"A mark is for someone who is not on this intake&#39;s roster (enrolment {stranger.id})" in page
    assert presence(day1) == {} and presence(day2) == {}


def test_unknown_enrolment_ids_are_refused_and_quoted_escaped(signed_in_client, intake):
    ready_to_complete(intake, "Anna")
    day1, _day2 = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    for value in (f"{day1.id}:999999", f"{day1.id}:<b>anyone</b>"):
        response = client.post(url_of(intake), data={"csrf_token": csrf_token(client, url_of(intake)),
                                                     "shown": [str(day1.id)], "present": [value]})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "is not on this intake&#39;s roster" in page and "<b>anyone" not in page
    assert presence(day1) == {}


def test_a_session_of_another_intake_is_refused_and_nothing_is_saved(signed_in_client, intake):
    anna = ready_to_complete(intake, "Anna")
    [day1, _day2] = two_sessions(intake)
    other = make_intake(intake.programme, intake.course, mode=DeliveryMode.FACE_TO_FACE)
    elsewhere = IntakeSession(intake=other, held_on=other.starts_on, title="Elsewhere")
    db.session.add(elsewhere)
    db.session.flush()
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {day1: [anna], elsewhere: [anna]}, shown=[day1, elsewhere])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"The sheet names a session that is not part of this intake ({elsewhere.id})" in page
    assert presence(day1) == {} and presence(elsewhere) == {}
    # A mark for a foreign session without listing it is refused the same way.
    response = save_sheet(client, intake, {day1: [anna], elsewhere: [anna]}, shown=[day1])
    assert response.status_code == 400
    assert f"A mark is for a session that is not part of this intake ({elsewhere.id})" in response.get_data(
        as_text=True)
    assert presence(day1) == {}


def test_a_session_added_after_the_sheet_was_opened_is_left_as_it_is(signed_in_client, intake):
    anna = ready_to_complete(intake, "Anna")
    day1, day2 = two_sessions(intake)
    db.session.add(Attendance(session=day2, enrolment=anna, is_present=True))
    db.session.flush()
    client = signed_in_client(intake.instructors[0])
    assert save_sheet(client, intake, {day1: [anna]}, shown=[day1]).status_code == 302
    assert presence(day1) == {anna.id: True} and presence(day2) == {anna.id: True}


def test_two_trainees_of_the_same_name_are_told_apart_on_the_sheet(signed_in_client, intake):
    first, second = ready_to_complete(intake, "Ana Cruz"), ready_to_complete(intake, "Ana Cruz")
    [day1, _day2] = two_sessions(intake)
    client = signed_in_client(intake.instructors[0])
    page = client.get(url_of(intake)).get_data(as_text=True)
    for enrolment in (first, second):
        assert f"Ana Cruz ({enrolment.user.email}) present at Day 1" in page


def test_a_sheet_with_no_session_and_nothing_filled_in_says_what_to_do(signed_in_client, intake):
    ready_to_complete(intake, "Anna")
    client = signed_in_client(intake.instructors[0])
    response = save_sheet(client, intake, {})
    assert response.status_code == 302
    assert "Nothing to save yet: give the new session a title" in client.get(url_of(intake)).get_data(as_text=True)
    assert sessions_of(intake) == []
