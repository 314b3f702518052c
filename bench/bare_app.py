"""The floor of bench/bench_service.py: a bare Flask app with no database, no session, no templates,
served by gunicorn with the site's own gunicorn.conf.py (same workers, worker class, threads and
access log). What it answers is the size of what the site answers, give or take.

    GET  /page                 a small HTML page                  (next to GET /contact, /privacy)
    POST /fragment             a small HTML fragment              (next to the inline email advice)
    GET  /form/<step>          a step's small form page           (the journey: the same
    POST /form/<step>          303 to the next step's page         four GETs and three POSTs)
"""
from flask import Flask, redirect, request, url_for

app = Flask(__name__)

PAGE = "<!doctype html><html lang=ja><title>窓口</title><main><h1>お問い合わせ</h1><p>{}</p></main></html>"
FORM = ('<form method=post><input name="csrf_token" type="hidden" value="bare">'
        '<button>次へ</button></form>')
LAST_STEP = 4


@app.get("/page")
def page():
    return PAGE.format("受付時間 平日12:00~17:00")


@app.post("/fragment")
def fragment():
    return f'<div id="email-advice"><p>{len(request.form.get("email", ""))}</p></div>'


@app.get("/form/<int:step>")
def form_step(step):
    return PAGE.format("AMK-20260101-BARE" if step == LAST_STEP else FORM)


@app.post("/form/<int:step>")
def form_post(step):
    return redirect(url_for("form_step", step=min(step + 1, LAST_STEP)), 303)
