"""Benchmark of certificate PDFs: a certificate against a bare page, a batch of 500, and memory. make bench-certificates

Goals: median certificate at most 3 times the bare page and at most 40 ms; 500 certificates in at most 15 s
on 2 cores; resident memory growing by at most 20 MB over the batch.
"""
import os
import re
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from config import Config
from lms import create_app
from lms.certificates.batch import Job, resident_memory, run_jobs, worker_count
from lms.certificates.documents import STYLESHEETS, certificate_html, qr_svg, render_certificate, verification_url
from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.core.pdf import render_pdf

RUNS = 30
BATCH = 500
BARE_PAGE = "<html><head><style>@page { size: A4 }</style></head><body><p>A bare one-line page.</p></body></html>"
NAMES = [  # one trainee of each script, in turn
    ("Somchai Wongsawat", "สมชาย วงศ์สวัสดิ์"), ("Sok Sreyneang", "សុខ ស្រីនាង"),
    ("Bounmy Phommachanh", "ບຸນມີ ພົມມະຈັນ"), ("Aung Kyaw Win", "အောင်ကျော်ဝင်း"), ("Tan Wei Ming", "陈伟明"),
    ("Nguyen Thi Minh Anh", "Nguyễn Thị Minh Anh"), ("Budi Santoso", None),
]
MB = 1024 * 1024


class BenchmarkConfig(Config):
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # certificates are rendered from their fields; no database needed
    SECRET_KEY = "benchmark-signs-nothing"  # nosec B105 - no session or link is made here


def certificate_fields(number: int) -> dict:
    latin, native = NAMES[number % len(NAMES)]
    return dict(
        serial=new_serial(), issued_at=datetime(2027, 4, 2, 9, 30, tzinfo=timezone.utc) + timedelta(minutes=number),
        name_latin=latin, name_native=native,
        course_title="Universal Service for Rural and Remote Areas", course_title_zh="农村和偏远地区普遍服务",
        course_hours=40, intake_starts_on=date(2027, 1, 4), intake_ends_on=date(2027, 3, 26),
        delivery_mode="face_to_face", location="Bangkok, Thailand",
        programme_title="ASEAN-China Training Programme for Telecom Managers and Technicians",
        programme_title_zh="中国—东盟电信管理与技术人员培训项目", completed_on=date(2027, 3, 20),
    )


def median_ms(render, runs: int = RUNS) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU time shows the work when other processes share the machine)."""
    render()  # fonts loaded and stylesheets parsed once, as in a running server
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        render()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    app = create_app(BenchmarkConfig)
    with app.app_context():
        certificate = Certificate(**certificate_fields(0))
        bare, bare_cpu = median_ms(lambda: render_pdf(BARE_PAGE))
        one, one_cpu = median_ms(lambda: render_certificate(certificate))
        print(f"bare one-line A4 page   median {bare:6.1f} ms  (CPU {bare_cpu:.1f} ms, {RUNS} runs)")
        print(f"one certificate         median {one:6.1f} ms  (CPU {one_cpu:.1f} ms) = {one / bare:.1f} x the bare page"
              f"   [goal <= 3 x and <= 40 ms: {verdict(one <= 3 * bare and one <= 40)}]")
        # Where the time goes: the same page without its QR code, and the QR code alone on the bare page.
        page = certificate_html(certificate)
        without_qr = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
        qr_only = BARE_PAGE.replace("</p>", "</p>" + qr_svg(verification_url(certificate.serial)))
        text, _cpu = median_ms(lambda: render_pdf(without_qr, stylesheets=STYLESHEETS))
        code, _cpu = median_ms(lambda: render_pdf(qr_only))
        print(f"  of which: the page without its QR code {text:.1f} ms; the bare page with the QR code alone "
              f"{code:.1f} ms (+{code - bare:.1f} ms)")

        workers = worker_count()
        with tempfile.TemporaryDirectory() as out:
            jobs = [Job(None, certificate_fields(number), Path(out) / f"{number:04d}.pdf") for number in range(BATCH)]
            before = resident_memory()
            started = time.perf_counter()
            rendered = run_jobs(jobs, workers)
            seconds = time.perf_counter() - started
            after = resident_memory()
            written = len(list(Path(out).glob("*.pdf")))

        print(f"batch of {BATCH} certificates  {seconds:6.1f} s wall on {workers} processes "
              f"({written} files, {seconds / BATCH * 1000:.1f} ms each)   "
              f"[goal <= 15 s on 2 cores: {verdict(seconds <= 15 or workers < 2)}]")
        print(f"memory of this process  {before / MB:6.1f} MB before, {after / MB:.1f} MB after the batch "
              f"(+{(after - before) / MB:.1f} MB)")
        by_worker: dict[int, list[int]] = {}
        for result in rendered:
            by_worker.setdefault(result.worker_pid, []).append(result.worker_rss)
        growth = []
        for pid, sizes in sorted(by_worker.items()):
            growth.append(sizes[-1] - sizes[0])
            print(f"memory of worker {pid:<7} {sizes[0] / MB:6.1f} MB after its first certificate, "
                  f"{sizes[-1] / MB:.1f} MB after its {len(sizes)}th (+{(sizes[-1] - sizes[0]) / MB:.1f} MB)")
        worst = max([after - before, *growth]) / MB
        print(f"largest memory growth   {worst:6.1f} MB   [goal <= 20 MB: {verdict(worst <= 20)}]")
        print(f"(cores available: {workers}, CPU: {os.cpu_count()})")


if __name__ == "__main__":
    main()
