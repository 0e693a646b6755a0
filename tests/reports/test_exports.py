"""The dashboard, PDF, CSV and JSON show the same numbers; the files are what their readers expect."""
import csv
import html
import io
import json
import re

from pypdf import PdfReader

from lms.reports.queries import Status

# Thailand in the small programme: allocation, nominated, approved, active, completed, certified.
THAILAND_COUNTS = [30, 7, 1, 1, 3, 2]


def shown(value, suffix=""):
    return "–" if value is None else f"{value:.1f}{suffix}"


def row_words(figures: dict) -> list[str]:
    """A country's row as words, in the order of the dashboard's and the PDF's tables, from its JSON."""
    return [*figures["name"].split(), *(str(figures[key]) for key in
                                        ("allocation", "nominated", "approved", "active", "completed", "certified")),
            shown(figures["percentage"], "%"), str(figures["still_to_certify"]), shown(figures["pace_needed_per_month"]),
            shown(figures["forecast"]), *str(Status(figures["status"]).label).split()]


def dashboard_rows(page: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-country="([A-Z]{2})">(.*?)</tr>', page, re.S)
    return {code: html.unescape(re.sub(r"<[^>]+>", " ", body)).split() for code, body in rows}


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def csv_rows(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_dashboard_pdf_csv_and_json_show_the_same_numbers(signed_in_client, small, programme_coordinator):
    client = signed_in_client(programme_coordinator)
    body = client.get("/api/v1/quota").get_json()
    page = client.get("/reports/quota").get_data(as_text=True)
    pdf = pdf_text(client.get("/reports/quota.pdf").data)
    rows = {row["Country code"]: row for row in csv_rows(client.get("/reports/quota.csv").data)}

    thailand = next(figures for figures in body["countries"] if figures["code"] == "TH")
    assert [thailand[key] for key in ("allocation", "nominated", "approved", "active", "completed", "certified")] \
        == THAILAND_COUNTS
    table = dashboard_rows(page)
    assert len(body["countries"]) == len(table) == len(rows) - 1 == 10  # the CSV adds the programme's row
    for figures in body["countries"]:
        words = row_words(figures)
        assert table[figures["code"]] == words
        assert " ".join(words) in pdf, figures["code"]
        row = rows[figures["code"]]
        assert [int(row[name]) for name in ("Allocation", "Nominated", "Approved", "Active", "Completed",
                                            "Certified", "Still to certify")] == [
            figures[key] for key in ("allocation", "nominated", "approved", "active", "completed", "certified",
                                     "still_to_certify")]
        for column, key in (("Percentage of allocation", "percentage"), ("Pace needed per month",
                                                                        "pace_needed_per_month"),
                            ("Forecast", "forecast")):
            assert (float(row[column]) if row[column] else None) == figures[key]
        assert row["Status"] == str(Status(figures["status"]).label)
        assert int(row["Certified: Programme year: Year 2"]) == figures["breakdowns"]["year"]["2"]
        assert int(row["Certified: Gender: Female"]) == figures["breakdowns"]["gender"]["female"]

    summary = body["summary"]
    assert summary["certified"] == 4 and summary["allocation"] == 100
    programme_row = rows[""]
    assert programme_row["Scope"] == "Programme" and int(programme_row["Certified"]) == summary["certified"]
    assert f"<strong>{summary['certified']}</strong> people certified" in page
    assert f"Target 100 Certified {summary['certified']}" in pdf


def test_a_country_report_agrees_in_every_format(signed_in_client, small, thai_coordinator):
    client = signed_in_client(thai_coordinator)
    body = client.get("/api/v1/quota").get_json()
    assert body["country"] == {"code": "TH", "name": "Thailand"} and len(body["countries"]) == 1
    words = row_words(body["countries"][0])
    assert dashboard_rows(client.get("/reports/quota").get_data(as_text=True)) == {"TH": words}
    assert " ".join(words) in pdf_text(client.get("/reports/quota.pdf").data)
    rows = csv_rows(client.get("/reports/quota.csv").data)
    assert [row["Country code"] for row in rows] == ["TH"]
    assert [int(rows[0][name]) for name in ("Allocation", "Nominated", "Approved", "Active", "Completed",
                                            "Certified")] == THAILAND_COUNTS


def test_the_pdf_is_a4_with_page_numbers_the_programme_the_time_and_the_definitions(signed_in_client, small,
                                                                                    programme_coordinator):
    client = signed_in_client(programme_coordinator)
    response = client.get("/reports/quota.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.match(r'attachment; filename="quota-report-all-\d{4}-\d{2}-\d{2}\.pdf"',
                    response.headers["Content-Disposition"])
    reader = PdfReader(io.BytesIO(response.data))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = len(reader.pages)
    text = pdf_text(response.data)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Small programme" in text and "小项目" in text
    assert re.search(r"Generated on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} Bangkok time", text)  # the reader's zone
    assert "How the figures are counted" in text and "On track: the forecast reaches at least 100%" in text
    assert "2 / 30" in text  # Thailand's bar in the chart: certified / allocation
    assert "Cumulative certified people at the end of each programme year" in text


def test_the_csv_is_utf8_with_numbers_as_numbers_and_safe_against_formulas(signed_in_client, small,
                                                                           programme_coordinator, db_session):
    small.programme.title = "=HYPERLINK(\"http://evil.example\") 电信"
    db_session.flush()
    client = signed_in_client(programme_coordinator)
    response = client.get("/reports/quota.csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert "'=HYPERLINK" in text and "电信" in text
    thailand_line = next(line for line in text.splitlines() if line.startswith("Country,TH,"))
    # Numbers are written bare, so a spreadsheet reads them as numbers.
    assert thailand_line.startswith("Country,TH,Thailand,30,7,1,1,3,2,6.7,28,")


def test_the_json_describes_the_programme_its_thresholds_and_definitions(signed_in_client, small,
                                                                         programme_coordinator):
    client = signed_in_client(programme_coordinator)
    body = client.get("/api/v1/quota").get_json()
    assert body["programme"]["title"] == "Small programme" and body["programme"]["target"] == 100
    assert body["programme"]["allocated"] == 45 and len(body["programme"]["years"]) == 5
    assert body["thresholds"]["on_track"] == 1.0 and body["thresholds"]["at_risk"] == 0.8
    assert "Certified" in body["definitions"] and body["country"] is None
    assert body["timeline"][-1] == {"date": "2026-12-18", "cumulative": 4}


def test_the_cli_writes_each_format_and_says_what_it_wrote(app, signed_in_client, small, programme_coordinator,
                                                           tmp_path):
    runner = app.test_cli_runner()
    for file_format in ("csv", "json", "pdf"):
        out = tmp_path / f"report.{file_format}"
        result = runner.invoke(args=["reports", "quota", "--format", file_format, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert f"Wrote the quota report for all countries ({file_format.upper()}" in result.output
        assert str(out) in result.output and "4 of 100 certified" in result.output
    client = signed_in_client(programme_coordinator)
    assert (tmp_path / "report.csv").read_bytes() == client.get("/reports/quota.csv").data
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert written["countries"] == client.get("/api/v1/quota").get_json()["countries"]
    assert "Thailand 30 7 1 1 3 2 6.7%" in pdf_text((tmp_path / "report.pdf").read_bytes())


def test_the_cli_writes_one_country_and_refuses_an_unknown_one(app, small, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "th.json"
    result = runner.invoke(args=["reports", "quota", "--format", "json", "--country", "th", "--out", str(out)])
    assert result.exit_code == 0 and "for Thailand (JSON" in result.output
    assert [row["code"] for row in json.loads(out.read_text())["countries"]] == ["TH"]
    result = runner.invoke(args=["reports", "quota", "--format", "json", "--country", "ZZ", "--out", str(out)])
    assert result.exit_code != 0 and "No country has the code 'ZZ'" in result.output
    result = runner.invoke(args=["reports", "quota", "--format", "xml", "--out", str(out)])
    assert result.exit_code != 0


def test_the_cli_says_when_there_is_no_programme(app, db_session, tmp_path):
    result = app.test_cli_runner().invoke(args=["reports", "quota", "--format", "csv", "--out",
                                                str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "No programme has been set up yet" in result.output
