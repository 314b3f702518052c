"""Pseudonymous subject keys and truncated IP addresses: what the consent ledger may hold instead of
personal data.

The subject key is HMAC-SHA256 of the normalised email under a key kept outside the database
(SUBJECT_KEY). The same person always gets the same key, so their consents can be found again for a
disclosure request; erasing the inquiry leaves nothing in the ledger that names them.
"""
import hashlib
import hmac
import ipaddress

from madoguchi.email.addresses import normalise_email


def subject_key(email, key):
    return hmac.new(key.encode("utf-8"), normalise_email(email).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def truncate_ip(address):
    """Keep the network, drop the host: /24 for IPv4, /48 for IPv6; '' for anything unparsable."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
