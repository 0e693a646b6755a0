"""flask certificates ...: batch rendering."""
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Certificates.")
