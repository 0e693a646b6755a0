"""flask reports ...: quota reports for the ministries."""
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Quota reports.")
