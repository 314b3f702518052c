"""Staff pages (support): built under issue 4."""
from flask import Blueprint

bp = Blueprint("support", __name__, url_prefix="/staff")
