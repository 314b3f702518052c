"""Staff pages (auditor): built under issue 4."""
from flask import Blueprint

bp = Blueprint("auditor", __name__, url_prefix="/staff")
