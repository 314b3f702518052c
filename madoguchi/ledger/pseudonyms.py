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


def network_of(address, ipv4_prefix, ipv6_prefix):
    """The network of `address` cut at the prefix length of its kind (an IPv4-mapped IPv6 address
    counts as IPv4), or None for anything unparsable."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False)


def truncate_ip(address):
    """Keep the network, drop the host: /24 for IPv4, /48 for IPv6; '' for anything unparsable."""
    network = network_of(address, 24, 48)
    return str(network) if network else ""
