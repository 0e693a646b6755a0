"""The production app (wsgi:app) as the load benchmark serves it, with one limit lifted for its single address.

All the benchmark's requests come from 127.0.0.1, so the public verification page's per-address limit
(30 a minute) would answer nearly all of them 429 and measure the rate limiter instead of the page;
the limiter still counts every request, as in production.
"""
from wsgi import app

app.config["CERTIFICATE_VERIFY_LIMIT"] = "1000000 per minute"
