"""One way to compare email addresses: the same person types the same address in many forms."""
import unicodedata


def normalise_email(email):
    """Trim, fold full-width characters (NFKC) and lower-case: one person, one form of the address.
    Subject keys (the ledger's pseudonyms) and staff sign-in both compare addresses in this form."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()
