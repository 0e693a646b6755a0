"""Report schedules: the quota report mailed on a calendar, each due time once, each country coordinator her own
country's figures; runs recorded, failures kept and shown; only their keepers see and change them."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.notifications.models import OutboxMail
from lms.reports import scheduled
from lms.reports.jobs import run_report_schedule, send_due_report_schedules
from lms.reports.models import Frequency, ReportSchedule, ReportScheduleRun, RunStatus, WhenUnchanged
from lms.reports.operations import ScheduleSettings, claim_due_runs, create_schedule
from lms.reports.recurrence import next_run_after
from tests.conftest import post_form
from tests.factories import country, make_user
from tests.job_runner import queued_names, run_due_retries, run_queued_jobs
from tests.reports.helpers import C, certify, enrol

BANGKOK = ZoneInfo("Asia/Bangkok")
UTC = timezone.utc
# 1 April 2027, 08:00 in Bangkok: the small programme's report day.
DUE = datetime(2027, 4, 1, 1, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def calendar(frequency=Frequency.MONTHLY, day_of_month=1, weekday=None, hour=8) -> ReportSchedule:
    return ReportSchedule(frequency=frequency, day_of_month=day_of_month, weekday=weekday, time_of_day=time(hour))


# --- When a schedule is due ----------------------------------------------------------------------

def test_a_monthly_schedule_on_the_31st_runs_on_the_last_day_of_shorter_months():
    schedule = calendar(day_of_month=31)
    runs, moment = [], at(2027, 1, 1)
    for _ in range(5):
        moment = next_run_after(schedule, moment, BANGKOK)
        runs.append(moment.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M"))
    assert runs == ["2027-01-31 08:00", "2027-02-28 08:00", "2027-03-31 08:00", "2027-04-30 08:00",
                    "2027-05-31 08:00"]
    assert next_run_after(schedule, at(2028, 2, 1), BANGKOK).astimezone(BANGKOK).day == 29  # a leap year


def test_the_day_and_hour_are_the_programme_zones_not_utc():
    # Midnight on the 31st in Bangkok is 17:00 on the 30th in UTC.
    schedule = calendar(day_of_month=31, hour=0)
    assert next_run_after(schedule, at(2027, 1, 1), BANGKOK) == at(2027, 1, 30, 17)
    # At 18:00 UTC on the 30th it is already 01:00 on the 31st in Bangkok: the next run is February's.
    assert next_run_after(schedule, at(2027, 1, 30, 18), BANGKOK) == at(2027, 2, 27, 17)
    # Across the year's end.
    assert next_run_after(calendar(day_of_month=15), at(2027, 12, 20), BANGKOK) == at(2028, 1, 15, 1)


def test_a_weekly_schedule_runs_on_its_weekday_and_never_twice_at_the_same_time():
    monday = calendar(Frequency.WEEKLY, day_of_month=None, weekday=0)
    # Wednesday 3 March 2027 -> Monday 8 March, 08:00 Bangkok (01:00 UTC).
    assert next_run_after(monday, at(2027, 3, 3), BANGKOK) == at(2027, 3, 8, 1)
    # Exactly at its time: the next one is a week later.
    assert next_run_after(monday, at(2027, 3, 8, 1), BANGKOK) == at(2027, 3, 15, 1)


# --- Fixtures -------------------------------------------------------------------------------------

def settings(**overrides) -> ScheduleSettings:
    values = dict(name="Monthly report to the ministries", frequency=Frequency.MONTHLY, day_of_month=1, weekday=None,
                  time_of_day=time(8), formats=["csv"], when_unchanged=WhenUnchanged.SEND,
                  to_programme_coordinators=True, countries=[], extra_addresses=[])
    return ScheduleSettings(**{**values, **overrides})


@pytest.fixture
def vietnamese_coordinator(db_session):
    return make_user(Role.COUNTRY_COORDINATOR, country_code="VN", email="vn.cc@example.org")


def make_schedule(small, by, **overrides) -> ReportSchedule:
    with time_machine.travel(DUE - timedelta(days=3), tick=False):
        schedule = create_schedule(small.programme, by, settings(**overrides))
    assert schedule.next_run_at == DUE
    return schedule


def mails_to(address: str) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id)))


def attached_csv(app, mail: OutboxMail) -> list[dict]:
    [attachment] = [item for item in mail.attachments if item["type"] == "text/csv"]
    text = (Path(app.config["DATA_DIR"]) / attachment["path"]).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def runs_of(schedule: ReportSchedule) -> list[ReportScheduleRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReportScheduleRun).where(ReportScheduleRun.schedule_id == schedule.id)
                                   .order_by(ReportScheduleRun.id)))


def tick(moment: datetime) -> list[str]:
    """The hourly job at `moment`, queued by two workers' schedulers, and everything it queues run."""
    with time_machine.travel(moment, tick=False):
        send_due_report_schedules()
        send_due_report_schedules()
        return run_queued_jobs()


# --- Running ------------------------------------------------------------------------------------------

def test_a_due_schedule_runs_once_even_when_the_job_runs_twice(app, db_session, small, programme_coordinator):
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    assert "run_report_schedule" not in tick(DUE - timedelta(hours=1))  # not due yet: nothing claimed
    assert runs_of(schedule) == []
    ran = tick(DUE)
    assert ran.count("run_report_schedule") == 1
    [run] = runs_of(schedule)
    assert run.status is RunStatus.SENT and run.due_at == DUE and run.recipients_count == 1
    assert run.started_at == DUE and run.finished_at == DUE and run.error is None
    # The run's job delivered twice (a retry after a lost acknowledgement, a second worker): nothing new.
    run_report_schedule(run.id)
    run_report_schedule(run.id)
    run_queued_jobs()
    assert scheduled.run_schedule(run.id) is None
    tick(DUE + timedelta(hours=1))  # the next hour: not due again
    assert len(runs_of(schedule)) == 1
    [mail] = mails_to(programme_coordinator.email)
    assert mail.subject == "Quota report for all countries, 2027-04-01"
    assert {row["Country code"] for row in attached_csv(app, mail)} >= {"TH", "VN", "MY"}
    db_session.refresh(schedule)
    assert schedule.next_run_at == at(2027, 5, 1, 1)  # 1 May, 08:00 in Bangkok


def test_each_country_coordinator_gets_only_her_own_countrys_report(app, db_session, small, programme_coordinator,
                                                                     thai_coordinator, vietnamese_coordinator):
    make_user(Role.COUNTRY_COORDINATOR, country_code="MY", email="my.cc@example.org")  # Malaysia is not chosen
    schedule = make_schedule(small, programme_coordinator, countries=[country("TH"), country("VN")],
                             extra_addresses=["office@ministry.example.org"])
    db_session.commit()
    tick(DUE)
    [run] = runs_of(schedule)
    assert run.status is RunStatus.SENT and run.recipients_count == 4
    [thai] = mails_to(thai_coordinator.email)
    rows = attached_csv(app, thai)
    assert [(row["Scope"], row["Country code"], row["Certified"]) for row in rows] == [("Country", "TH", "2")]
    assert "Thailand" in thai.subject and "quota-report-TH-2027-04-01.csv" == thai.attachments[0]["name"]
    [vietnamese] = mails_to(vietnamese_coordinator.email)
    assert [row["Country code"] for row in attached_csv(app, vietnamese)] == ["VN"]
    assert mails_to("my.cc@example.org") == []
    for address in (programme_coordinator.email, "office@ministry.example.org"):
        [mail] = mails_to(address)
        rows = attached_csv(app, mail)
        assert rows[0]["Scope"] == "Programme" and len(rows) == 11  # the programme and its ten countries


def test_a_pdf_is_rendered_by_the_reports_own_export_and_attached(app, db_session, small, thai_coordinator,
                                                                  programme_coordinator):
    from tests.reports.test_exports import pdf_text

    schedule = make_schedule(small, programme_coordinator, formats=["pdf", "csv"], to_programme_coordinators=False,
                             countries=[country("TH")])
    db_session.commit()
    tick(DUE)
    [mail] = mails_to(thai_coordinator.email)
    assert [item["type"] for item in mail.attachments] == ["application/pdf", "text/csv"]
    pdf = (Path(app.config["DATA_DIR"]) / mail.attachments[0]["path"]).read_bytes()
    text = pdf_text(pdf)
    assert "Thailand" in text and "Viet Nam" not in text
    assert runs_of(schedule)[0].files == [item["path"] for item in mail.attachments]


def test_skip_when_unchanged_sends_a_note_instead_until_the_figures_change(app, db_session, small,
                                                                          programme_coordinator, thai_coordinator):
    schedule = make_schedule(small, programme_coordinator, when_unchanged=WhenUnchanged.SKIP,
                             countries=[country("TH")])
    db_session.commit()
    tick(DUE)
    tick(at(2027, 5, 1, 1))  # a month later, nothing changed
    first, second = runs_of(schedule)
    assert first.status is RunStatus.SENT and second.status is RunStatus.SKIPPED
    assert "Nothing had changed since the previous run" in second.note_text
    note = mails_to(thai_coordinator.email)[-1]
    assert note.attachments is None and "nothing changed" in note.subject
    assert "Nothing has changed in the figures for Thailand since the report of 1 Apr 2027" in note.body

    # Viet Nam changes: the programme's report goes out again; Thailand's is still the same.
    with db_session.no_autoflush:
        vn3 = make_user(Role.TRAINEE, country_code="VN", full_name="Pham Minh")
        certify(enrol(vn3, small.intakes["online"], C), date(2027, 5, 10))
    db_session.commit()
    tick(at(2027, 6, 1, 1))
    third = runs_of(schedule)[2]
    assert third.status is RunStatus.SENT and third.note == "unchanged:TH"
    assert mails_to(programme_coordinator.email)[-1].attachments
    assert mails_to(thai_coordinator.email)[-1].attachments is None


def test_send_anyway_sends_the_report_when_nothing_changed(db_session, small, programme_coordinator):
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    tick(DUE)
    tick(at(2027, 5, 1, 1))
    assert [run.status for run in runs_of(schedule)] == [RunStatus.SENT, RunStatus.SENT]
    assert all(mail.attachments for mail in mails_to(programme_coordinator.email))


def test_a_failed_run_is_kept_with_its_error_shown_and_retried(app, signed_in_client, db_session, small,
                                                               programme_coordinator, monkeypatch):
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()

    def broken(report):
        raise OSError("No space left on device")

    monkeypatch.setattr(scheduled, "report_csv", broken)
    with time_machine.travel(DUE, tick=False) as traveller:
        send_due_report_schedules()
        run_queued_jobs()
        [run] = runs_of(schedule)
        assert run.status is RunStatus.FAILED and run.error == "OSError: No space left on device"
        assert run.attempts == 1 and run.finished_at == DUE
        assert mails_to(programme_coordinator.email) == []  # a failed run sends nothing

        client = signed_in_client(programme_coordinator)
        page = client.get("/reports/schedules").get_data(as_text=True)
        assert "Why it failed: OSError: No space left on device" in page
        assert "failed" in client.get(f"/reports/schedules/{schedule.id}").get_data(as_text=True)

        monkeypatch.undo()  # the disk has room again: the engine's retry sends it
        traveller.shift(timedelta(minutes=2))
        assert "run_report_schedule" in run_due_retries()
    [run] = runs_of(schedule)
    assert run.status is RunStatus.SENT and run.error is None and run.attempts == 2
    assert len(mails_to(programme_coordinator.email)) == 1


def test_nobody_to_send_to_is_recorded_not_failed(db_session, small, programme_coordinator):
    schedule = make_schedule(small, programme_coordinator, to_programme_coordinators=False,
                             countries=[country("LA")])  # Lao PDR has no country coordinator
    db_session.commit()
    tick(DUE)
    [run] = runs_of(schedule)
    assert run.status is RunStatus.SKIPPED and run.recipients_count == 0 and "Nobody to send to" in run.note_text


def test_a_paused_schedule_does_not_run_and_resuming_plans_from_now(signed_in_client, db_session, small,
                                                                    programme_coordinator):
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        client = signed_in_client(programme_coordinator)
        post_form(client, f"/reports/schedules/{schedule.id}/pause", {}, form_url="/reports/schedules")
    tick(DUE)
    assert runs_of(schedule) == []
    with time_machine.travel(at(2027, 4, 15), tick=False):
        client = signed_in_client(programme_coordinator)
        post_form(client, f"/reports/schedules/{schedule.id}/resume", {}, form_url="/reports/schedules")
    db_session.refresh(schedule)
    assert not schedule.is_paused and schedule.next_run_at == at(2027, 5, 1, 1)
    actions = db_session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "reportschedule",
                                                                 AuditEntry.object_id == schedule.id)).all()
    assert actions == ["report_schedule.created", "report_schedule.paused", "report_schedule.resumed"]


# --- Pages ------------------------------------------------------------------------------------------

FORM = {"name": "Monthly report to the ministries", "frequency": "monthly", "day_of_month": "31", "weekday": "0",
        "hour": "08:00", "formats": ["pdf", "csv"], "when_unchanged": "skip", "to_programme_coordinators": "y",
        "countries": ["TH", "VN"], "extra_addresses": "office@ministry.example.org\n"}


def test_a_programme_coordinator_creates_edits_and_deletes_a_schedule_all_audited(signed_in_client, db_session, small,
                                                                                  programme_coordinator):
    with time_machine.travel(at(2027, 4, 2), tick=False):
        _create_edit_and_delete(signed_in_client(programme_coordinator), db_session)


def _create_edit_and_delete(client, db_session):
    response = post_form(client, "/reports/schedules/new", FORM, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Months without day 31 get their report on their last day." in page
    schedule = db_session.scalar(select(ReportSchedule))
    assert schedule.next_run_at == at(2027, 4, 30, 1)  # April has 30 days: its last day, 08:00 in Bangkok
    assert [c.code for c in schedule.countries] == ["TH", "VN"] and schedule.formats == ["pdf", "csv"]
    assert "Monthly, on day 31 (or the month&#39;s last day) at 08:00 Bangkok time" in page
    assert "Country coordinators of Thailand, Viet Nam" in page and "1 other address" in page

    post_form(client, f"/reports/schedules/{schedule.id}", {**FORM, "frequency": "weekly", "weekday": "4",
                                                            "countries": ["TH"]})
    db_session.refresh(schedule)
    assert schedule.frequency is Frequency.WEEKLY and schedule.weekday == 4 and schedule.day_of_month is None
    assert "Weekly, on Friday" in client.get("/reports/schedules").get_data(as_text=True)

    confirm = client.get(f"/reports/schedules/{schedule.id}/delete")
    assert "Delete the schedule" in confirm.get_data(as_text=True)
    post_form(client, f"/reports/schedules/{schedule.id}/delete", {})
    assert db_session.scalar(select(func.count(ReportSchedule.id))) == 0
    entries = db_session.execute(select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
                                 .where(AuditEntry.object_type == "reportschedule").order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries] == ["report_schedule.created", "report_schedule.changed",
                                                   "report_schedule.deleted"]
    assert entries[1].before["countries"] == ["TH", "VN"] and entries[1].after["countries"] == ["TH"]
    assert entries[2].before["name"] == "Monthly report to the ministries"


@pytest.mark.parametrize("change, message", [
    ({"to_programme_coordinators": "", "countries": [], "extra_addresses": ""}, "Please choose who receives the report"),
    ({"formats": []}, "Please choose PDF, CSV or both"),
    ({"day_of_month": "32"}, "Please give a day of the month from 1 to 31."),
    ({"day_of_month": "0"}, "Please give a day of the month from 1 to 31."),
    ({"extra_addresses": "office@ministry.example.org\nnot an address"}, "is not an e-mail address"),
])
def test_bad_input_is_refused_with_a_clear_message_and_what_was_typed_is_kept(signed_in_client, db_session, small,
                                                                              programme_coordinator, change, message):
    client = signed_in_client(programme_coordinator)
    data = {**FORM, "name": "Report for the ASEAN secretariat", **change}
    response = post_form(client, "/reports/schedules/new", {key: value for key, value in data.items() if value != ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'value="Report for the ASEAN secretariat"' in page
    assert db_session.scalar(select(func.count(ReportSchedule.id))) == 0


def test_the_page_shows_the_last_run_and_the_next_in_the_readers_zone(signed_in_client, db_session, small,
                                                                      programme_coordinator):
    programme_coordinator.time_zone = "Asia/Manila"
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    tick(DUE)
    with time_machine.travel(DUE + timedelta(hours=2), tick=False):
        client = signed_in_client(programme_coordinator)
        page = client.get("/reports/schedules").get_data(as_text=True)
    assert "1 May 2027, 09:00 Manila time" in page  # 08:00 in Bangkok is 09:00 in Manila
    assert "sent" in page and "1 Apr 2027, 09:00 Manila time" in page and "1 recipient" in page
    assert f"/reports/schedules/{schedule.id}/run" in page


def test_run_now_is_queued_as_a_job_and_pressing_twice_sends_once(signed_in_client, db_session, small,
                                                                  programme_coordinator):
    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    with time_machine.travel(at(2027, 4, 10, 3), tick=False):
        client = signed_in_client(programme_coordinator)
        post_form(client, f"/reports/schedules/{schedule.id}/run", {}, form_url="/reports/schedules")
        post_form(client, f"/reports/schedules/{schedule.id}/run", {}, form_url="/reports/schedules")
        assert "run_report_schedule" in queued_names() and mails_to(programme_coordinator.email) == []
        run_queued_jobs()
    [run] = runs_of(schedule)
    assert run.status is RunStatus.SENT and run.requested_by_id == programme_coordinator.id
    assert len(mails_to(programme_coordinator.email)) == 1
    db_session.refresh(schedule)
    assert schedule.next_run_at == DUE  # the calendar is unchanged


def test_a_country_coordinator_subscribes_to_her_own_countrys_report(app, signed_in_client, db_session, small,
                                                                     thai_coordinator):
    form = {key: FORM[key] for key in ("frequency", "day_of_month", "weekday", "hour", "when_unchanged")}
    with time_machine.travel(at(2027, 3, 28), tick=False):
        client = signed_in_client(thai_coordinator)
        assert "My report subscription" in client.get("/").get_data(as_text=True)
        page = client.get("/reports/schedules/new").get_data(as_text=True)
        assert "Country coordinators of these countries" not in page and "Other addresses" not in page
        post_form(client, "/reports/schedules/new", {**form, "name": "My report for Thailand", "formats": ["csv"],
                                                     "day_of_month": "31", "countries": ["VN"],
                                                     "to_programme_coordinators": "y"})
    schedule = db_session.scalar(select(ReportSchedule))
    assert schedule.subscriber_id == thai_coordinator.id and schedule.countries == []
    assert not schedule.to_programme_coordinators  # a subscription goes to its subscriber only
    tick(at(2027, 3, 31, 1))
    [mail] = mails_to(thai_coordinator.email)
    assert [row["Country code"] for row in attached_csv(app, mail)] == ["TH"]
    assert db_session.scalar(select(func.count(OutboxMail.id))) == 1
    # A second subscription is the same one, edited.
    client = signed_in_client(thai_coordinator)
    assert client.get("/reports/schedules/new").headers["Location"].endswith(f"/reports/schedules/{schedule.id}")


# --- Who may ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR, Role.ADMIN])
def test_trainees_instructors_and_admins_are_refused(signed_in_client, db_session, small, programme_coordinator, role):
    schedule = make_schedule(small, programme_coordinator)
    client = signed_in_client(role)
    for path in ("/reports/schedules", "/reports/schedules/new", f"/reports/schedules/{schedule.id}",
                 f"/reports/schedules/{schedule.id}/delete"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/reports/schedules/{schedule.id}/run").status_code in (400, 403)


def test_a_country_coordinator_cannot_see_or_change_programme_schedules(signed_in_client, db_session, small,
                                                                        programme_coordinator, thai_coordinator):
    schedule = make_schedule(small, programme_coordinator, countries=[country("TH")])
    db_session.commit()
    client = signed_in_client(thai_coordinator)
    page = client.get("/reports/schedules").get_data(as_text=True)
    assert "Monthly report to the ministries" not in page and "You have no subscription yet." in page
    assert client.get(f"/reports/schedules/{schedule.id}").status_code == 403
    for action in ("run", "pause", "delete"):
        response = post_form(client, f"/reports/schedules/{schedule.id}/{action}", {}, form_url="/reports/schedules/new")
        assert response.status_code == 403, action
    response = post_form(client, f"/reports/schedules/{schedule.id}", {**FORM, "name": "Hijacked"},
                         form_url="/reports/schedules/new")
    assert response.status_code == 403
    db_session.refresh(schedule)
    assert schedule.name == "Monthly report to the ministries" and not schedule.is_paused
    assert db_session.scalar(select(func.count(ReportScheduleRun.id))) == 0


def test_a_subscription_is_its_subscribers_alone(signed_in_client, db_session, small, programme_coordinator,
                                                 thai_coordinator, vietnamese_coordinator):
    with time_machine.travel(DUE - timedelta(days=3), tick=False):
        subscription = create_schedule(small.programme, thai_coordinator, settings(name="Mine"),
                                       subscriber=thai_coordinator)
    db_session.commit()
    for person in (vietnamese_coordinator, programme_coordinator):
        as_person = signed_in_client(person)
        assert as_person.get(f"/reports/schedules/{subscription.id}").status_code == 403
    # Programme coordinators (the last person above) see who subscribed, without changing it.
    page = as_person.get("/reports/schedules").get_data(as_text=True)
    assert "Country coordinators' own subscriptions" in page and thai_coordinator.full_name in page


def test_a_run_whose_job_was_lost_is_queued_again_by_the_reconciler(db_session, small, programme_coordinator):
    from lms.reports.jobs import queue_lost_report_runs
    from tests.job_runner import clear_jobs

    schedule = make_schedule(small, programme_coordinator)
    db_session.commit()
    with time_machine.travel(DUE, tick=False):
        claim_due_runs()
        db_session.commit()
    assert queued_names() == ["run_report_schedule"]
    clear_jobs()  # the broker lost the run's job
    [run] = runs_of(schedule)
    assert run.status is RunStatus.PENDING
    with time_machine.travel(DUE + timedelta(minutes=20), tick=False):
        queue_lost_report_runs()
        db_session.commit()
        run_queued_jobs()
    assert runs_of(schedule)[0].status is RunStatus.SENT
    assert len(mails_to(programme_coordinator.email)) == 1
