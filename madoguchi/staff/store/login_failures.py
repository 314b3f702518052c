"""Failed sign-ins counted per (account, client network), one row per pair.

The email typed is never stored: rows are keyed by its HMAC (rules.account_key), computed alike for
emails nobody has, so a lock never tells which emails are staff. The count follows
rules.count_failure; a success forgets its own pair only, never another network's lock.
"""
from madoguchi.staff.rules import FailureCount, count_failure
from models import StaffLoginFailure


def current(account_key, client_network):
    row = StaffLoginFailure.get_or_none(_pair(account_key, client_network))
    if row is None:
        return FailureCount()
    return FailureCount(row.failures, row.counting_since, row.locked_until)


def add_failure(account_key, client_network, now, policy):
    """Count one failure; returns the new FailureCount (locked_until set when it locked the pair)."""
    counted = count_failure(current(account_key, client_network), now, policy)
    values = {"failures": counted.failures, "counting_since": counted.counting_since,
              "locked_until": counted.locked_until}
    updated = StaffLoginFailure.update(**values).where(_pair(account_key, client_network)).execute()
    if not updated:
        # The pair's first failure; two at once insert one row (a lost count is no harm: the
        # sign-in rate limit bounds the guesses as well).
        StaffLoginFailure.insert(account_key=account_key, client_network=client_network,
                                 **values).on_conflict_ignore().execute()
    return counted


def locked_networks(account_key, now):
    query = StaffLoginFailure.select().where((StaffLoginFailure.account_key == account_key)
                                             & (StaffLoginFailure.locked_until > now))
    return [row.client_network for row in query.order_by(StaffLoginFailure.client_network)]


def forget(account_key, client_network):
    StaffLoginFailure.delete().where(_pair(account_key, client_network)).execute()


def _pair(account_key, client_network):
    return ((StaffLoginFailure.account_key == account_key)
            & (StaffLoginFailure.client_network == client_network))
