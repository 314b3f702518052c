"""Staff pages (admin): built under issue 4."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff")
