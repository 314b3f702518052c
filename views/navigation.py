"""Where a `next=` parameter may send a visitor: only to a path on this site."""
from urllib.parse import urlsplit


def local_path(target):
    """`target` if it is a path on this site, else None: never another host ("//evil.example",
    "https://…", "/\\evil.example" which browsers read as "//"), so no link of ours becomes an
    open redirect."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    return target
