"""Checking the whole consent ledger: the chain, its signed checkpoints, the policy texts and the
inquiries' consents. `verify(ledger_key)` walks every event once, in seq order and in constant
memory, and names the first damaged seq and the kind of damage.

Kinds of damage:
  edited              an event's fields no longer give its hash, or a rewritten event no longer
                      matches the checkpoint signed for its seq
  missing             a seq is absent (an event was deleted), or an inquiry's consent is absent
  reordered           an event stands before the event it links to
  inserted            an event nobody signed: beyond the last checkpoint, or squeezed into the chain
  truncated           a signed checkpoint names a seq beyond the last event (events cut off the end)
  policy text changed a published policy text no longer has the SHA-256 recorded for it
  checkpoint forged   a checkpoint's MAC is wrong (made without the ledger key)
"""
import hashlib
from dataclasses import dataclass, field

from peewee import JOIN, fn

from madoguchi import consent_ledger, ledger_stream, policy_store
from models import ConsentEvent, Inquiry, LedgerCheckpoint, PolicyVersion


@dataclass(frozen=True)
class Damage:
    seq: int | None
    kind: str
    detail: str

    def __str__(self):
        return f"seq {self.seq}: {self.kind} ({self.detail})"


@dataclass
class VerifyResult:
    events: int
    head_seq: int
    head_hash: str
    damages: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.damages

    @property
    def first(self):
        return min(self.damages, key=lambda damage: damage.seq or 0) if self.damages else None

    def summary(self):
        if self.ok:
            return (f"OK: {self.events} events, head seq {self.head_seq}, "
                    f"head hash {self.head_hash}")
        return f"DAMAGED at {self.first}"


def verify(ledger_key):
    with ledger_stream.snapshot():
        damages = _policy_damages()
        anchored, forged = _anchor(ledger_key)
        result, chain_damage = _walk_chain(ledger_key, anchored, _policy_hashes())
        stored_head = ConsentEvent.select(fn.MAX(ConsentEvent.seq)).scalar() or 0
        if anchored > stored_head:
            damages.append(Damage(stored_head + 1, "truncated",
                                  f"a signed checkpoint names seq {anchored}, the ledger ends at "
                                  f"seq {stored_head}"))
        damages.extend(filter(None, [forged, chain_damage, _inquiry_damage()]))
    result.damages = damages
    return result


def _policy_hashes():
    """{(label, locale): SHA-256 recorded for that text} of every published version."""
    hashes = {}
    for version in policy_store.published():
        hashes[(version.label, "ja")] = version.sha256_ja
        hashes[(version.label, "en")] = version.sha256_en
    return hashes


def _policy_damages():
    damages = []
    for version in policy_store.published().order_by(PolicyVersion.id):
        for locale in ("ja", "en"):
            text = policy_store.text_for(version, locale)
            if policy_store.sha256_text(text) != policy_store.sha256_for(version, locale):
                first_use = (ConsentEvent.select(fn.MIN(ConsentEvent.seq))
                             .where(ConsentEvent.policy_version == version.label).scalar())
                damages.append(Damage(first_use, "policy text changed",
                                      f"policy version {version.label} ({locale}) no longer "
                                      f"matches its SHA-256"))
    return damages


def _anchor(ledger_key):
    """The highest seq a checkpoint with a valid MAC vouches for (0 if none), and a Damage for
    any checkpoint above it whose MAC is wrong (those below are checked on the walk)."""
    query = LedgerCheckpoint.select(*ledger_stream.CHECKPOINT_COLUMNS).order_by(
        LedgerCheckpoint.seq.desc())
    forged = None
    for seq, head_hash, created_at, mac in ledger_stream.rows(query, "anchor"):
        if consent_ledger.checkpoint_mac(ledger_key, seq, head_hash, created_at) == mac:
            return seq, forged
        forged = Damage(seq, "checkpoint forged", "its MAC was not made with the ledger key")
    return 0, forged


def _walk_chain(ledger_key, anchored, policy_hashes):
    """Recompute every hash and link and compare with the checkpoints, merged in by seq.
    Returns the result so far and the first damage (None if the chain is whole)."""
    sha256, canonical, mac_of = hashlib.sha256, consent_ledger.canonical_event, \
        consent_ledger.checkpoint_mac
    checkpoints = ledger_stream.rows(ledger_stream.checkpoints(), "checkpoints")
    cp_seq, cp_hash, cp_created, cp_mac = next(checkpoints, (float("inf"), "", "", ""))
    expected, prev = 1, consent_ledger.GENESIS_HASH
    for seq, kind, occurred_at, subject_key, version, policy_sha256, locale, method, ip, ref, \
            prev_hash, stored_hash in ledger_stream.rows(ledger_stream.events(), "events"):
        if seq != expected:
            return _result(expected - 1, prev), Damage(
                expected, "missing", f"seq {expected} to {seq - 1} are not in the ledger")
        fields_ok = sha256(canonical(seq, kind, occurred_at, subject_key, version, policy_sha256,
                                     locale, method, ip, ref, prev_hash)).hexdigest() == stored_hash
        signed_ok = True
        while cp_seq <= seq:
            if mac_of(ledger_key, cp_seq, cp_hash, cp_created) != cp_mac:
                return _result(seq - 1, prev), Damage(
                    cp_seq, "checkpoint forged", "its MAC was not made with the ledger key")
            signed_ok = signed_ok and (cp_seq != seq or cp_hash == stored_hash)
            cp_seq, cp_hash, cp_created, cp_mac = next(checkpoints, (float("inf"), "", "", ""))
        if not (fields_ok and signed_ok and prev_hash == prev and seq <= anchored):
            return _result(seq - 1, prev), _classify(seq, prev_hash, anchored, fields_ok, signed_ok)
        if policy_hashes.get((version, locale)) != policy_sha256:
            return _result(seq - 1, prev), Damage(
                seq, "policy text changed",
                f"the event cites policy version {version} ({locale}) with a SHA-256 the stored "
                f"version does not have")
        expected, prev = seq + 1, stored_hash
    return _result(expected - 1, prev), None


def _result(head_seq, head_hash):
    return VerifyResult(events=head_seq, head_seq=head_seq, head_hash=head_hash)


def _seq_of_hash(event_hash):
    return ConsentEvent.select(ConsentEvent.seq).where(ConsentEvent.hash == event_hash).scalar()


def _prev_hash_at(seq):
    return (ConsentEvent.select(ConsentEvent.prev_hash).where(ConsentEvent.seq == seq).scalar())


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


def _inquiry_damage():
    """Every stored inquiry must have its consent event."""
    orphan = (Inquiry.select(Inquiry.reference, Inquiry.consent_seq)
              .join(ConsentEvent, JOIN.LEFT_OUTER, on=(ConsentEvent.seq == Inquiry.consent_seq))
              .where(ConsentEvent.seq.is_null()).order_by(Inquiry.consent_seq).first())
    if orphan is None:
        return None
    return Damage(orphan.consent_seq, "missing",
                  f"inquiry {orphan.reference} cites a consent event that is not in the ledger")
