"""The dashboards and exports run the same number of SQL queries whatever the number of people."""
from tests.queries import counted_queries
from tests.reports.scale import benchmark_programme, fill

PATHS = ["/reports/quota", "/reports/quota?country=TH", "/reports/quota.csv", "/api/v1/quota"]


def queries_per_page(client) -> dict[str, int]:
    counts = {}
    for path in PATHS:
        with counted_queries() as statements:
            assert client.get(path).status_code == 200, path
        counts[path] = len(statements)
    return counts


def test_the_query_count_stays_flat_as_people_are_added(signed_in_client, db_session, programme_coordinator):
    programme = benchmark_programme()
    client = signed_in_client(programme_coordinator)
    fill(programme, scale=0.02, seed=1)  # ten trainees, one a country
    few = queries_per_page(client)
    added = fill(programme, scale=0.2, seed=2)  # a hundred more
    assert added["certificates"] > 20
    assert queries_per_page(client) == few
    assert few["/reports/quota"] <= 15
