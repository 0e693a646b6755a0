"""Every figure of the quota report, checked against numbers worked out by hand (see helpers.small_programme)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.programme.operations import update_settings
from lms.programme.quota import allocation_floor, programme_years
from lms.reports.queries import Clock, Figures, Status, country_trainees, quota_report
from tests.factories import country, make_user
from tests.reports.helpers import C, ELAPSED_DAYS, NOW, REMAINING_DAYS, TOTAL_DAYS, certify, enrol, months


@pytest.fixture
def report(small):
    return quota_report(small.programme, now=NOW)


def by_code(report, code):
    return next(row for row in report.countries if row.code == code)


def counts(figures):
    return (figures.allocation, figures.nominated, figures.approved, figures.active, figures.completed,
            figures.certified)


def breakdown(figures, key):
    return {row_key: count for row_key, _label, count in figures.breakdown(key).rows}


def test_the_clock_counts_days_of_the_programme(small):
    clock = Clock.of(small.programme, NOW.date())
    assert (clock.total_days, clock.elapsed_days, clock.remaining_days) == (TOTAL_DAYS, ELAPSED_DAYS, REMAINING_DAYS)
    assert Clock.of(small.programme, date(2020, 1, 1)).elapsed_days == 0
    assert Clock.of(small.programme, date(2035, 1, 1)).remaining_days == 0


def test_programme_years_turn_on_the_anniversary_of_the_start(small):
    years = programme_years(small.programme)
    assert [(year.number, year.starts_on, year.ends_on) for year in years] == [
        (1, date(2025, 4, 1), date(2026, 3, 31)), (2, date(2026, 4, 1), date(2027, 3, 31)),
        (3, date(2027, 4, 1), date(2028, 3, 31)), (4, date(2028, 4, 1), date(2029, 3, 31)),
        (5, date(2029, 4, 1), date(2030, 3, 31)),
    ]
    for year in years:  # the same years as the model's own rule
        assert small.programme.year_of(year.starts_on) == small.programme.year_of(year.ends_on) == year.number


def test_thailand_counts_people_once_and_leaves_out_withdrawn_failed_and_revoked(report):
    thailand = by_code(report, "TH")
    # allocation, nominated (th1-th7), approved (th7), active (th3), completed (th1 th2 th5), certified (th1 th2)
    assert counts(thailand) == (30, 7, 1, 1, 3, 2)
    assert thailand.percentage == round(2 / 30 * 100, 1) == 6.7
    assert thailand.still_to_certify == 28
    assert thailand.pace_needed == round(28 / months(REMAINING_DAYS), 1) == 0.8
    assert thailand.current_pace == round(2 / months(ELAPSED_DAYS), 1) == 0.1
    assert thailand.forecast == round(2 * TOTAL_DAYS / ELAPSED_DAYS, 1) == 5.0
    assert thailand.status is Status.BEHIND  # 5.0 is under 80% of 30


def test_a_certification_on_the_last_day_of_a_year_counts_in_that_year_and_the_next_day_in_the_next(report):
    thailand = by_code(report, "TH")
    # th1 on 31 March 2026 (year 1, then again in year 2: counted once, in year 1); th2 on 1 April 2026 (year 2)
    assert breakdown(thailand, "year") == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0}


def test_breakdowns_by_category_gender_and_the_mode_of_the_first_certificate(report):
    thailand = by_code(report, "TH")
    assert breakdown(thailand, "category") == {"middle_manager": 0, "high_manager": 1, "technician": 1,
                                               "not_given": 0}
    assert breakdown(thailand, "gender") == {"female": 1, "male": 1, "other": 0, "not_given": 0}
    # th1's first certificate was online (the face-to-face one came later); th2's face to face
    assert breakdown(thailand, "mode") == {"online": 1, "face_to_face": 1, "blended": 0}


def test_a_superseded_certificate_counts_through_its_successor_once(report):
    viet_nam = by_code(report, "VN")
    # vn1 certified (one replaced certificate, counted once); vn2's certificate is revoked, vn2 is active elsewhere
    assert counts(viet_nam) == (2, 2, 0, 1, 2, 1)
    assert breakdown(viet_nam, "year")["2"] == 1 and breakdown(viet_nam, "mode")["blended"] == 1
    assert viet_nam.percentage == 50.0 and viet_nam.still_to_certify == 1
    assert viet_nam.forecast == round(TOTAL_DAYS / ELAPSED_DAYS, 1) == 2.5
    assert viet_nam.status is Status.ON_TRACK  # 2.5 reaches 100% of 2


def test_a_forecast_between_80_and_100_percent_is_at_risk(report):
    malaysia = by_code(report, "MY")
    assert counts(malaysia) == (3, 1, 0, 0, 1, 1)
    assert malaysia.forecast == 2.5 and malaysia.status is Status.AT_RISK  # 2.5 is 83% of 3
    assert malaysia.pace_needed == round(2 / months(REMAINING_DAYS), 1) == 0.1
    assert breakdown(malaysia, "gender")["other"] == 1


def test_a_country_with_no_trainees_has_zeros_and_is_behind(report):
    lao = by_code(report, "LA")
    assert counts(lao) == (10, 0, 0, 0, 0, 0)
    assert lao.percentage == 0.0 and lao.still_to_certify == 10 and lao.forecast == 0.0
    assert lao.pace_needed == round(10 / months(REMAINING_DAYS), 1) == 0.3
    assert lao.status is Status.BEHIND
    assert sum(count for row in lao.breakdowns for _key, _label, count in row.rows) == 0


def test_a_country_without_allocation_has_no_percentage(report):
    singapore = by_code(report, "SG")
    assert counts(singapore) == (0, 1, 0, 0, 0, 0)  # the rejected request still counts as nominated
    assert singapore.percentage is None and singapore.still_to_certify == 0 and singapore.status is Status.ON_TRACK


def test_the_programme_adds_up_the_countries_against_its_target(report):
    summary = report.summary
    assert summary.code is None and summary.name == "Small programme"
    assert counts(summary) == (100, 11, 1, 2, 6, 4)
    assert summary.percentage == 4.0 and summary.still_to_certify == 96
    assert summary.pace_needed == round(96 / months(REMAINING_DAYS), 1) == 2.7
    assert summary.current_pace == round(4 / months(ELAPSED_DAYS), 1) == 0.2
    assert summary.forecast == round(4 * TOTAL_DAYS / ELAPSED_DAYS, 1) == 10.0
    assert summary.status is Status.BEHIND
    assert breakdown(summary, "year") == {"1": 1, "2": 3, "3": 0, "4": 0, "5": 0}
    assert breakdown(summary, "category") == {"middle_manager": 1, "high_manager": 1, "technician": 2,
                                              "not_given": 0}
    assert breakdown(summary, "gender") == {"female": 2, "male": 1, "other": 1, "not_given": 0}
    assert breakdown(summary, "mode") == {"online": 2, "face_to_face": 1, "blended": 1}
    assert len(report.countries) == 10  # every member country, with or without trainees


def test_the_timeline_steps_up_on_each_first_certification(report):
    assert report.timeline == [(date(2026, 3, 31), 1), (date(2026, 4, 1), 2), (date(2026, 4, 2), 3),
                               (date(2026, 12, 18), 4)]


def test_a_country_report_covers_that_country_only(small):
    report = quota_report(small.programme, country("TH"), now=NOW)
    assert [row.code for row in report.countries] == ["TH"]
    assert report.summary is report.countries[0] and counts(report.summary) == (30, 7, 1, 1, 3, 2)
    assert report.timeline == [(date(2026, 3, 31), 1), (date(2026, 4, 1), 2)]


def test_an_allocation_change_moves_every_figure_that_depends_on_it(small, db_session):
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    update_settings(small.programme, coordinator, target=100, starts_on=small.programme.starts_on,
                    ends_on=small.programme.ends_on, allocations={country("TH"): 5})  # 5 hold a place
    thailand = by_code(quota_report(small.programme, now=NOW), "TH")
    assert thailand.allocation == 5 and thailand.percentage == 40.0 and thailand.still_to_certify == 3
    assert thailand.pace_needed == round(3 / months(REMAINING_DAYS), 1) == 0.1
    assert thailand.status is Status.ON_TRACK  # a forecast of 5.0 reaches 5
    assert quota_report(small.programme, now=NOW).summary.allocation == 100  # the target did not move


def test_a_person_whose_certificate_was_revoked_counts_again_with_a_new_one(small):
    certify(enrol(small.people["th5"], small.intakes["blended"], C), date(2026, 10, 1))
    thailand = by_code(quota_report(small.programme, now=NOW), "TH")
    assert thailand.certified == 3
    assert breakdown(thailand, "year")["2"] == 2 and breakdown(thailand, "mode")["blended"] == 1


def test_allocation_floor_is_the_larger_of_places_held_and_certified(small):
    counted = allocation_floor(small.programme)
    # Thailand: holding a place th1 th2 th3 th5 th7 (5) against 2 certified; Viet Nam: vn1 vn2 (2) against 1
    assert counted[country("TH").id] == 5 and counted[country("VN").id] == 2 and counted[country("MY").id] == 1
    assert country("LA").id not in counted


def test_allocation_floor_includes_people_certified_without_a_place_any_more(small, db_session):
    # th2 no longer holds a place (the enrolment is set to withdrawn by hand); the certificate still counts.
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == small.people["th2"].id))
    enrolment.state = EnrolmentState.WITHDRAWN
    db_session.flush()
    assert allocation_floor(small.programme)[country("TH").id] == 4


@pytest.mark.parametrize("certified, allocation, expected", [
    (0, 0, Status.ON_TRACK), (50, 100, Status.ON_TRACK), (40, 100, Status.AT_RISK), (39, 100, Status.BEHIND),
])
def test_status_thresholds_at_half_way(certified, allocation, expected):
    # Half-way through, the forecast is twice the certified count: 100% of 100 is on track, 80% at risk.
    half = Figures(code="XX", name="X", allocation=allocation, nominated=0, approved=0, active=0, completed=0,
                   certified=certified, clock=Clock(total_days=100, elapsed_days=50))
    assert half.status is expected


def test_before_the_start_and_after_the_end(small):
    before = quota_report(small.programme, now=datetime(2025, 3, 1, tzinfo=timezone.utc)).summary
    assert before.status is Status.NOT_STARTED and before.forecast is None and before.current_pace is None
    after = quota_report(small.programme, now=datetime(2031, 1, 1, tzinfo=timezone.utc)).summary
    assert after.pace_needed is None and after.forecast == 4.0 and after.status is Status.BEHIND


def test_the_country_list_shows_where_each_trainee_stands(small):
    trainees = country_trainees(small.programme, country("TH"))
    standings = {standing.user.full_name: standing for standing in trainees.standings}
    assert len(standings) == 7 and trainees.total == 7 and trainees.pages == 1
    assert standings["Anong Rattanakul"].certified_on == date(2026, 3, 31)
    assert standings["Anong Rattanakul"].stage == "Certified" and len(standings["Anong Rattanakul"].enrolments) == 2
    assert standings["Ekachai Boonma"].certified_on is None and standings["Ekachai Boonma"].stage == "Completed"
    assert standings["Chai Wongsawat"].stage == "Active"
    assert standings["Duangjai Thongdee"].stage == "Withdrawn"
    assert standings["Fah Chaiyaporn"].stage == "Requested"


def test_the_country_list_comes_in_pages_in_name_order(small):
    names = [standing.user.full_name for standing in country_trainees(small.programme, country("TH")).standings]
    assert names == sorted(names)
    pages = [country_trainees(small.programme, country("TH"), page=number, per_page=3) for number in (1, 2, 3)]
    assert [[standing.user.full_name for standing in page.standings] for page in pages] == [
        names[0:3], names[3:6], names[6:7]]
    assert {page.total for page in pages} == {7} and {page.pages for page in pages} == {3}
    assert (pages[2].first_shown, pages[2].last_shown) == (7, 7)
    beyond = country_trainees(small.programme, country("TH"), page=99, per_page=3)
    assert beyond.page == 3 and [standing.user.full_name for standing in beyond.standings] == names[6:7]
    anong = next(standing for standing in pages[0].standings if standing.user.full_name == "Anong Rattanakul")
    assert anong.certified_on == date(2026, 3, 31) and len(anong.enrolments) == 2  # loaded for the page's people


def test_the_country_list_finds_a_trainee_by_name_or_e_mail(small):
    found = country_trainees(small.programme, country("TH"), search="  rattanakul ")
    assert [standing.user.full_name for standing in found.standings] == ["Anong Rattanakul"]
    assert found.total == 1 and found.search == "rattanakul"
    by_email = country_trainees(small.programme, country("TH"), search=found.standings[0].user.email.upper())
    assert [standing.user.full_name for standing in by_email.standings] == ["Anong Rattanakul"]
    assert country_trainees(small.programme, country("TH"), search="Nguyen Thi Lan").total == 0  # another country
    assert country_trainees(small.programme, country("TH"), search="%").total == 0  # a literal percent sign
