"""Rules against abuse of the open forms: what the rate limits count by, and the signed time the
details form was served (a form sent back sooner than a person could fill it came from a bot).

Limit keys are keyed hashes (HMAC-SHA256 under the site's SECRET_KEY, one purpose per kind of key),
never an address or an email as typed: the limit store (memory or a shared Redis) and Flask-Limiter's
log lines then hold no personal data, and the keys match nothing in the ledger (whose subject keys
use SUBJECT_KEY)."""
import hashlib
import hmac

from itsdangerous import BadSignature, Signer

from madoguchi.email.addresses import normalise_email
from madoguchi.ledger.pseudonyms import network_of

# Hex characters of the HMAC kept in a key: 128 bits, far more than needed to tell clients apart.
KEY_LENGTH = 32
# An IPv6 subscriber gets a whole /64 (often a /56), and may take any address in it: counting
# single addresses would let one client rotate through billions of them.
IPV6_CLIENT_PREFIX = 64
SERVED_SALT = "madoguchi.inquiry.details-served"


def client_network(address):
    """What counts as one client: an IPv4 address itself (an IPv4-mapped IPv6 one too), an IPv6
    address's /64; '' for anything unparsable."""
    network = network_of(address, 32, IPV6_CLIENT_PREFIX)
    if network is None:
        return ""
    return str(network.network_address) if network.version == 4 else str(network)


def client_key(address, secret):
    """The limit key of the client at `address`; every unparsable address shares one."""
    return _keyed("client", client_network(address) or "unknown", secret)


def email_key(purpose, email, secret):
    """The limit key of an email address for `purpose` ("recipient", "account"): the same for
    every way of typing one address (madoguchi/email/addresses.py)."""
    return _keyed(purpose, normalise_email(email), secret)


def _keyed(purpose, value, secret):
    message = f"{purpose}\0{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:KEY_LENGTH]


def served_token(now, secret):
    """The details form's hidden "served at" field: `now` (seconds since the epoch), signed."""
    return Signer(secret, salt=SERVED_SALT).sign(f"{now:.3f}").decode("ascii")


def seconds_since_served(token, now, secret):
    """Seconds from the time in `token` to `now`; None when `token` is missing or not ours."""
    try:
        served = float(Signer(secret, salt=SERVED_SALT).unsign(token or ""))
    except (BadSignature, ValueError):
        return None
    return now - served


def filled_too_soon(token, now, min_seconds, secret):
    """The form came back sooner than `min_seconds` after it was served, or without a served
    time of ours. `min_seconds` 0 turns the check off."""
    if min_seconds <= 0:
        return False
    elapsed = seconds_since_served(token, now, secret)
    return elapsed is None or elapsed < min_seconds
