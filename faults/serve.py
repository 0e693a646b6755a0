"""The production app (wsgi:app) as the fault suite serves it: every simulated person comes from 127.0.0.1, so
the per-address sign-in limit is lifted (the per-account one stays)."""
from wsgi import app

app.config["LOGIN_LIMIT_PER_ADDRESS"] = "100000 per minute"
