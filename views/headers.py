"""Security headers on every answer: a strict Content-Security-Policy (scripts and styles only
from our own files, no inline code of any kind, nothing may frame a page), the browser's other
protections, HSTS behind HTTPS, and no caching of pages that show personal data.

A page that needs an exception sets the header itself; these only fill in what is missing.
"""
from flask import current_app, request

DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",          # htmx and site.js from static/; no inline script or handler
    "style-src 'self'",           # static/css/site.css; no style= or <style> (htmx's indicator
                                  # styles are off in base.html's htmx-config and live in site.css)
    "img-src 'self'",
    "connect-src 'self'",         # htmx's requests
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(DIRECTIVES)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment",
    "usb"))
ALWAYS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",                 # frame-ancestors for browsers without CSP level 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",          # staff URLs carry filters and references
    "Permissions-Policy": PERMISSIONS_POLICY,
}
HSTS = "max-age=31536000"                      # a year; only sent when the site runs behind HTTPS
# Staff pages (exports and fragments too) and the form's steps and fragments show personal data:
# no browser or proxy cache may keep them.
PRIVATE_PATHS = ("/staff", "/contact/form")


def init_app(app):
    app.after_request(add_security_headers)


def add_security_headers(response):
    for name, value in ALWAYS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(PRIVATE_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response
