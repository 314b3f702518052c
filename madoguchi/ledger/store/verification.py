"""Checking the whole consent ledger: the chain, its signed checkpoints, the policy texts and the
inquiries' consents. `verify(ledger_key)` walks every event once, in seq order and in constant
memory (madoguchi/ledger/store/stretches.py), and names the first damaged seq and the kind of damage.

Kinds of damage:
  edited              an event's fields no longer give its hash, or a rewritten event no longer
                      matches the checkpoint signed for its seq
  missing             a seq is absent (an event was deleted), or an inquiry's consent is absent
  reordered           an event stands before the event it links to
  inserted            an event nobody signed: beyond the last checkpoint, or squeezed into the chain
  truncated           a signed checkpoint names a seq beyond the last event (events cut off the end)
  policy text changed a published policy text no longer has the SHA-256 recorded for it
  checkpoint forged   a checkpoint's MAC is wrong (made without the ledger key)
With an anchor log outside the database (madoguchi/ledger/anchors.py), also:
  truncated           an anchored seq lies beyond the last event (even with its checkpoint gone)
  forked              the event at an anchored seq has another hash than the one anchored
  anchor log damaged  a line of the log is not an anchor, or its MAC is wrong
"""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from itertools import repeat

from peewee import JOIN, fn

from madoguchi.ledger import canonical
from madoguchi.ledger.store import anchors as anchor_store
from madoguchi.ledger.store import stream as ledger_stream
from madoguchi.ledger.store.stretches import Damage, walk, walk_in_process
from madoguchi.policy import revisions
from madoguchi.policy.store import versions as policy_store
from models import ConsentEvent, Inquiry, LedgerCheckpoint, PolicyVersion

__all__ = ["Damage", "VerifyResult", "verify"]
# Below this many events per worker, starting a process costs more than it saves.
EVENTS_PER_WORKER = 250_000


@dataclass
class VerifyResult:
    events: int
    head_seq: int
    head_hash: str
    damages: list = field(default_factory=list)
    anchors: object = None          # the AnchorCheck, when an anchor log was compared

    def in_order(self):
        """The damages, first damaged seq first; the anchor log's own damage after them."""
        return sorted(self.damages, key=lambda damage: (damage.seq is None, damage.seq or 0))

    @property
    def ok(self):
        return not self.damages

    @property
    def first(self):
        return self.in_order()[0] if self.damages else None

    def summary(self):
        if self.ok:
            return (f"OK: {self.events} events, head seq {self.head_seq}, "
                    f"head hash {self.head_hash}")
        return f"DAMAGED{': ' if self.first.seq is None else ' at '}{self.first}"


def verify(ledger_key, database_url=None, workers=1, events_per_worker=EVENTS_PER_WORKER,
           anchor_path=None):
    """Check everything. With a `database_url` and `workers` > 1, a chain of at least
    `events_per_worker` events per worker is walked in stretches by worker processes at once.
    With an `anchor_path`, the ledger is also compared with that anchor log."""
    with ledger_stream.snapshot():
        damages = _policy_damages()
        anchored, forged = _anchor(ledger_key)
        stored_head = ConsentEvent.select(fn.MAX(ConsentEvent.seq)).scalar() or 0
        workers = min(workers, stored_head // events_per_worker) if database_url else 1
        walks = _walks(ledger_key, anchored, _policy_hashes(), stored_head, database_url, workers)
        if anchored > stored_head:
            damages.append(Damage(stored_head + 1, "truncated",
                                  f"a signed checkpoint names seq {anchored}, the ledger ends at "
                                  f"seq {stored_head}"))
        damages.append(_inquiry_damage())
        anchors = anchor_store.check(anchor_path, ledger_key, stored_head) if anchor_path else None
    checked, last = 0, None
    for last in walks:
        checked += last.checked
        if last.damage:
            break
    chain_damage = last.damage if last else None
    result = VerifyResult(events=checked, head_seq=last.last_seq if last else 0,
                          head_hash=last.last_hash if last else canonical.GENESIS_HASH)
    result.damages = [damage for damage in damages + [forged, chain_damage] if damage]
    if anchors:
        result.anchors = anchors
        result.damages += [Damage(*astuple(finding)) for finding in anchors.findings()]
    return result


def _walks(ledger_key, anchored, policy_hashes, stored_head, database_url, workers):
    if workers <= 1:
        return [walk(ledger_key, anchored, policy_hashes, 1, stored_head)]
    size = -(-stored_head // workers)                   # stretches of equal length, rounded up
    firsts = range(1, stored_head + 1, size)
    lasts = [min(first + size - 1, stored_head) for first in firsts]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(walk_in_process, repeat(database_url), repeat(ledger_key),
                             repeat(anchored), repeat(policy_hashes), firsts, lasts))


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
            text = revisions.text_for(version, locale)
            if revisions.sha256_text(text) != revisions.sha256_for(version, locale):
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
        if canonical.checkpoint_mac(ledger_key, seq, head_hash, created_at) == mac:
            return seq, forged
        forged = Damage(seq, "checkpoint forged", "its MAC was not made with the ledger key")
    return 0, forged


def _inquiry_damage():
    """Every stored inquiry must have its consent event."""
    orphan = (Inquiry.select(Inquiry.reference, Inquiry.consent_seq)
              .join(ConsentEvent, JOIN.LEFT_OUTER, on=(ConsentEvent.seq == Inquiry.consent_seq))
              .where(ConsentEvent.seq.is_null()).order_by(Inquiry.consent_seq).first())
    if orphan is None:
        return None
    return Damage(orphan.consent_seq, "missing",
                  f"inquiry {orphan.reference} cites a consent event that is not in the ledger")
