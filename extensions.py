"""Flask extensions, created unbound and bound to an app in `create_app` (microblog's pattern)."""
from flask_babel import Babel
from flask_mail import Mail
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
mail = Mail()
