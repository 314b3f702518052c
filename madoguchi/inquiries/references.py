"""Inquiry references such as AMK-20261124-7KQ3: the Tokyo day the inquiry arrived and four
characters a customer can read out on the phone."""
import secrets

from madoguchi.clock import in_tokyo

# Crockford-style: no 0/O, 1/I/L or U, so a reference read out on the phone cannot be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(now_utc, choice=secrets.choice):
    """A reference for an inquiry that arrived at `now_utc` (naive UTC). `choice` draws each
    character: a secure random one, or a seeded generator's for demo data."""
    code = "".join(choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"AMK-{in_tokyo(now_utc):%Y%m%d}-{code}"
