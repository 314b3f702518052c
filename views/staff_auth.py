"""Staff pages (staff_auth): built under issue 4."""
from flask import Blueprint

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")
