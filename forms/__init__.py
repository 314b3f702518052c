"""WTForms forms, one module per area. Flask-WTF adds CSRF protection to every one."""
