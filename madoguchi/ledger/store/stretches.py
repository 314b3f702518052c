"""Walking a stretch of the hash chain (seq `first` to `last`): every hash recomputed, every link
and every checkpoint in the stretch compared, and the first damage named. ledger_verify runs one
walk over the whole chain, or several side by side in worker processes for a long ledger (reading
rows out of the database costs more than hashing them, and each process reads its own stretch).
To read less, the database builds each event's canonical text (consent_ledger.canonical_sql) and
checks the policy hash it cites; Python hashes the text and follows the links.

Stretches join up: a walk starts from the stored hash of the event before its first seq, and the
walk before it checks that very event, so side-by-side walks check exactly what one walk would.
"""
import hashlib
from dataclasses import dataclass

import models
from madoguchi.ledger import canonical
from madoguchi.ledger.store import consent_ledger
from madoguchi.ledger.store import stream as ledger_stream
from models import ConsentEvent, LedgerCheckpoint

NO_CHECKPOINT = (float("inf"), "", "", "")


@dataclass(frozen=True)
class Damage:
    seq: int | None
    kind: str
    detail: str

    def __str__(self):
        where = "" if self.seq is None else f"seq {self.seq}: "     # None: the anchor log itself
        return f"{where}{self.kind} ({self.detail})"


@dataclass(frozen=True)
class Walk:
    """What one walk found: the events it checked up to the last good one, and the first damage."""
    checked: int
    last_seq: int
    last_hash: str
    damage: Damage | None


def walk(ledger_key, anchored, policy_hashes, first, last):
    """Check seq `first` to `last`. `anchored` is the highest seq a valid checkpoint vouches for;
    `policy_hashes` maps (label, locale) to the SHA-256 recorded for that policy text."""
    sha256, mac_of = hashlib.sha256, canonical.checkpoint_mac
    checkpoints = ledger_stream.rows(ledger_stream.checkpoints().where(
        LedgerCheckpoint.seq.between(first, last)), "checkpoints")
    cp_seq, cp_hash, cp_created, cp_mac = next(checkpoints, NO_CHECKPOINT)
    expected, prev = first, _hash_before(first)
    for seq, text, prev_hash, stored_hash, cites_recorded_policy in ledger_stream.rows(
            _canonical_events(first, last, policy_hashes), "events"):
        if seq != expected:
            return _stop(first, expected, prev, Damage(
                expected, "missing", f"seq {expected} to {seq - 1} are not in the ledger"))
        fields_ok = sha256(text.encode("utf-8")).hexdigest() == stored_hash
        signed_ok = True
        while cp_seq <= seq:
            if mac_of(ledger_key, cp_seq, cp_hash, cp_created) != cp_mac:
                return _stop(first, seq, prev, Damage(
                    cp_seq, "checkpoint forged", "its MAC was not made with the ledger key"))
            signed_ok = signed_ok and (cp_seq != seq or cp_hash == stored_hash)
            cp_seq, cp_hash, cp_created, cp_mac = next(checkpoints, NO_CHECKPOINT)
        if not (fields_ok and signed_ok and prev_hash == prev and seq <= anchored):
            return _stop(first, seq, prev,
                         _classify(seq, prev_hash, anchored, fields_ok, signed_ok))
        if not cites_recorded_policy:
            return _stop(first, seq, prev, _unrecorded_policy(seq))
        expected, prev = seq + 1, stored_hash
    if expected <= last:
        return _stop(first, expected, prev, Damage(
            expected, "missing", f"seq {expected} to {last} are not in the ledger"))
    return Walk(expected - first, expected - 1, prev, None)


def _canonical_events(first, last, policy_hashes):
    """(seq, canonical text, prev_hash, hash, cites a recorded policy text) of every event from
    `first` to `last`, in seq order. The database builds the canonical text and compares the
    policy hashes, so five values per event come out of it instead of twelve."""
    canonical, canonical_params = consent_ledger.canonical_sql()
    cites, cites_params = _cites_recorded_policy(policy_hashes)
    sql = (f"SELECT seq, {canonical}, prev_hash, hash, {cites} FROM consent_event "
           f"WHERE seq BETWEEN {models.database.param} AND {models.database.param} ORDER BY seq")
    return ConsentEvent.raw(sql, *canonical_params, *cites_params, first, last)


def _cites_recorded_policy(policy_hashes):
    """SQL, true when an event's policy_sha256 is the one recorded for its version and locale."""
    mark = models.database.param
    recorded = [f"(policy_version = {mark} AND locale = {mark} AND policy_sha256 = {mark})"
                for _ in policy_hashes]
    params = [value for (label, locale), sha256 in policy_hashes.items()
              for value in (label, locale, sha256)]
    return f"({' OR '.join(recorded) or '1 = 0'})", params


def _unrecorded_policy(seq):
    version, locale = (ConsentEvent.select(ConsentEvent.policy_version, ConsentEvent.locale)
                       .where(ConsentEvent.seq == seq).tuples().get())
    return Damage(seq, "policy text changed", f"the event cites policy version {version} "
                                              f"({locale}) with a SHA-256 the stored version "
                                              f"does not have")


def walk_in_process(database_url, *arguments):
    """A worker process's walk: its own connection, its own read snapshot."""
    models.database.initialize(models.open_database(database_url))
    try:
        with ledger_stream.snapshot():
            return walk(*arguments)
    finally:
        models.database.close()


def _stop(first, bad_seq, prev, damage):
    return Walk(bad_seq - first, bad_seq - 1, prev, damage)


def _hash_before(first):
    if first == 1:
        return canonical.GENESIS_HASH
    return ConsentEvent.select(ConsentEvent.hash).where(ConsentEvent.seq == first - 1).scalar() or ""


def _seq_of_hash(event_hash):
    return ConsentEvent.select(ConsentEvent.seq).where(ConsentEvent.hash == event_hash).scalar()


def _prev_hash_at(seq):
    return ConsentEvent.select(ConsentEvent.prev_hash).where(ConsentEvent.seq == seq).scalar()


def _classify(seq, prev_hash, anchored, fields_ok, signed_ok):
    """Name the damage at the first bad seq, looking at its neighbours (a few indexed queries)."""
    if seq > anchored:
        return Damage(seq, "inserted", f"no signed checkpoint covers it (last signed: {anchored})")
    predecessor = _seq_of_hash(prev_hash)
    if predecessor is not None and predecessor >= seq:
        return Damage(seq, "reordered", f"it links to the event now at seq {predecessor}")
    if predecessor is None and seq > 1:
        return Damage(seq, "missing", "the event it links to is no longer in the ledger")
    if seq > 1 and _prev_hash_at(seq - 1) == prev_hash:
        return Damage(seq - 1, "inserted", f"seq {seq - 1} and {seq} both follow the same event")
    if _prev_hash_at(seq + 1) == prev_hash:
        return Damage(seq, "inserted", f"seq {seq} and {seq + 1} both follow the same event")
    if not fields_ok:
        return Damage(seq, "edited", "its fields no longer give its hash")
    if not signed_ok:
        return Damage(seq, "edited", "it differs from the checkpoint signed for this seq")
    return Damage(seq, "edited", f"it does not link to seq {seq - 1}")
