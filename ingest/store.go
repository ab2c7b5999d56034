package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Store is the durable report queue: badger v4 with synced writes, so a
// report is on disk before its gossip validator returns Accept. Nothing
// relies on badger's TTL; Expire applies the explicit age rule.
//
// Keys:
//
//	b|beacon id (32)                  -> beacon record
//	w|payload hash (16)|witness id (32) -> witness record
//	t|beacon id                       -> tombstone: arrival ms (relayed or dropped)
//	p|payload hash                    -> tombstone for late witnesses of that beacon
//
// Witnesses are keyed by their payload, which is how a witness names the
// beacon it heard; they may arrive before the beacon.
type Store struct {
	db *badger.DB
}

const (
	prefixBeacon    = 'b'
	prefixWitness   = 'w'
	prefixTombstone = 't'
	prefixPayload   = 'p'
	payloadHashLen  = 16
)

// OpenStore opens (or creates) the queue in dir. Values stay small (a report
// is a few hundred bytes), so they live in the LSM tree and compaction, not
// only value-log GC, reclaims them.
func OpenStore(dir string) (*Store, error) {
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(nil).
		WithValueThreshold(1 << 10).
		WithMemTableSize(16 << 20).
		WithNumMemtables(3).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithNumCompactors(2).
		WithCompactL0OnClose(true)
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open ingest queue %s: %w", dir, err)
	}
	return &Store{db: db}, nil
}

// Close flushes and closes the queue.
func (s *Store) Close() error { return s.db.Close() }

// BeaconState is where a queued beacon is in the relay cycle.
type BeaconState byte

const (
	StatePending   BeaconState = 0 // waiting for its window, or for a retry
	StateSubmitted BeaconState = 1 // accepted by CheckTx, awaiting inclusion
)

// BeaconEntry is a queued beacon.
type BeaconEntry struct {
	ID          [32]byte
	PayloadHash [payloadHashLen]byte
	ArrivedMs   int64
	State       BeaconState
	SubmittedAt int64 // chain height when submitted
	SubmittedMs int64
	Attempts    uint32
	Solo        bool // relay alone: a batch containing it was refused
	Raw         []byte
}

// WitnessEntry is a queued witness report.
type WitnessEntry struct {
	ID        [32]byte
	ArrivedMs int64
	Raw       []byte
}

func beaconKey(id [32]byte) []byte { return append([]byte{prefixBeacon}, id[:]...) }
func tombKey(id [32]byte) []byte   { return append([]byte{prefixTombstone}, id[:]...) }
func payloadKey(ph [payloadHashLen]byte) []byte {
	return append([]byte{prefixPayload}, ph[:]...)
}

func witnessPrefix(ph [payloadHashLen]byte) []byte { return append([]byte{prefixWitness}, ph[:]...) }
func witnessKey(ph [payloadHashLen]byte, id [32]byte) []byte {
	return append(witnessPrefix(ph), id[:]...)
}

const beaconHeader = 16 + 8 + 1 + 8 + 8 + 4 + 1

func encodeBeacon(e BeaconEntry) []byte {
	out := make([]byte, 0, beaconHeader+len(e.Raw))
	out = append(out, e.PayloadHash[:]...)
	out = binary.BigEndian.AppendUint64(out, uint64(e.ArrivedMs))
	out = append(out, byte(e.State))
	out = binary.BigEndian.AppendUint64(out, uint64(e.SubmittedAt))
	out = binary.BigEndian.AppendUint64(out, uint64(e.SubmittedMs))
	out = binary.BigEndian.AppendUint32(out, e.Attempts)
	solo := byte(0)
	if e.Solo {
		solo = 1
	}
	out = append(out, solo)
	return append(out, e.Raw...)
}

var errCorrupt = errors.New("ingest queue: corrupt record")

func decodeBeacon(key, v []byte) (BeaconEntry, error) {
	var e BeaconEntry
	if len(key) != 33 || len(v) < beaconHeader {
		return e, errCorrupt
	}
	copy(e.ID[:], key[1:])
	copy(e.PayloadHash[:], v[:16])
	e.ArrivedMs = int64(binary.BigEndian.Uint64(v[16:]))
	e.State = BeaconState(v[24])
	e.SubmittedAt = int64(binary.BigEndian.Uint64(v[25:]))
	e.SubmittedMs = int64(binary.BigEndian.Uint64(v[33:]))
	e.Attempts = binary.BigEndian.Uint32(v[41:])
	e.Solo = v[45] == 1
	e.Raw = append([]byte(nil), v[beaconHeader:]...)
	return e, nil
}

// PutBeacon stores a beacon unless it is queued or was already relayed.
// It returns false for a duplicate.
func (s *Store) PutBeacon(e BeaconEntry) (bool, error) {
	stored := false
	err := s.update(func(txn *badger.Txn) error {
		stored = false
		for _, k := range [][]byte{beaconKey(e.ID), tombKey(e.ID)} {
			if _, err := txn.Get(k); err == nil {
				return nil
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
		}
		stored = true
		return txn.Set(beaconKey(e.ID), encodeBeacon(e))
	})
	return stored, err
}

// update runs a read-then-write transaction, retrying when a concurrent
// one committed a key it read (the same report from another peer, or the
// relayer closing the beacon): the retry then sees what happened.
func (s *Store) update(f func(*badger.Txn) error) error {
	for {
		err := s.db.Update(f)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
}

// ErrLate means the witness's beacon was already relayed.
var ErrLate = errors.New("beacon already relayed")

// PutWitness stores a witness report unless it is queued already. It
// returns ErrLate if its beacon was already relayed.
func (s *Store) PutWitness(ph [payloadHashLen]byte, e WitnessEntry) (bool, error) {
	stored := false
	err := s.update(func(txn *badger.Txn) error {
		stored = false
		if _, err := txn.Get(payloadKey(ph)); err == nil {
			return ErrLate
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		k := witnessKey(ph, e.ID)
		if _, err := txn.Get(k); err == nil {
			return nil
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		stored = true
		v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(e.Raw)), uint64(e.ArrivedMs))
		return txn.Set(k, append(v, e.Raw...))
	})
	return stored, err
}

// Beacons lists queued beacons in key order.
func (s *Store) Beacons() ([]BeaconEntry, error) {
	var out []BeaconEntry
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixBeacon}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			e, err := decodeBeacon(item.KeyCopy(nil), v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Witnesses lists the witness reports queued for a payload, in witness-id
// order.
func (s *Store) Witnesses(ph [payloadHashLen]byte) ([]WitnessEntry, error) {
	var out []WitnessEntry
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: witnessPrefix(ph), PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			k := item.Key()
			if len(v) < 8 || len(k) != 1+payloadHashLen+32 {
				return errCorrupt
			}
			var e WitnessEntry
			copy(e.ID[:], k[1+payloadHashLen:])
			e.ArrivedMs = int64(binary.BigEndian.Uint64(v))
			e.Raw = v[8:]
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// witnessKeys lists the keys of the payloads' queued witnesses (without
// reading the reports), in one read transaction.
func (s *Store) witnessKeys(phs ...[payloadHashLen]byte) ([][]byte, error) {
	var out [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		for _, ph := range phs {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: witnessPrefix(ph)})
			for it.Rewind(); it.Valid(); it.Next() {
				out = append(out, it.Item().KeyCopy(nil))
			}
			it.Close()
		}
		return nil
	})
	return out, err
}

// CloseWitnesses marks beacons' payloads as closed: from now on their
// witness reports are refused as late (not acknowledged). The relayer
// closes a beacon before reading its witnesses, so a report acknowledged
// after that read cannot exist: badger's conflict detection fails a
// concurrent PutWitness that read the payload as open. One call is one
// synced write, however many beacons it closes.
func (s *Store) CloseWitnesses(nowMs int64, phs ...[payloadHashLen]byte) error {
	ts := binary.BigEndian.AppendUint64(nil, uint64(nowMs))
	return s.db.Update(func(txn *badger.Txn) error {
		for _, ph := range phs {
			if err := txn.Set(payloadKey(ph), ts); err != nil {
				return err
			}
		}
		return nil
	})
}

// Update rewrites queued beacons' relay state in one synced write. A
// beacon no longer queued (completed meanwhile) fails it with
// badger.ErrKeyNotFound and nothing is written.
func (s *Store) Update(es ...BeaconEntry) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for _, e := range es {
			if _, err := txn.Get(beaconKey(e.ID)); err != nil {
				return err
			}
			if err := txn.Set(beaconKey(e.ID), encodeBeacon(e)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Complete removes beacons and their witnesses and leaves tombstones, so a
// re-gossiped copy of either is not queued again before the tombstones
// expire (ReportTTL after nowMs). One call is one synced write batch.
func (s *Store) Complete(nowMs int64, es ...BeaconEntry) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	ts := binary.BigEndian.AppendUint64(nil, uint64(nowMs))
	phs := make([][payloadHashLen]byte, len(es))
	for i, e := range es {
		phs[i] = e.PayloadHash
	}
	keys, err := s.witnessKeys(phs...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	for _, e := range es {
		if err := wb.Delete(beaconKey(e.ID)); err != nil {
			return err
		}
		if err := wb.Set(tombKey(e.ID), ts); err != nil {
			return err
		}
		if err := wb.Set(payloadKey(e.PayloadHash), ts); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// ExpireStats counts what Expire removed.
type ExpireStats struct{ Beacons, Witnesses, Tombstones int }

// Expire deletes every beacon, witness and tombstone that arrived (or was
// written) before cutoffMs. This, not badger's TTL, is the rule that bounds
// the queue: a report older than the TTL can no longer be judged valid by
// the chain (its entropy or timestamp has lapsed).
func (s *Store) Expire(cutoffMs int64) (ExpireStats, error) {
	var st ExpireStats
	var dead [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.KeyCopy(nil)
			var at int64
			err := item.Value(func(v []byte) error {
				switch k[0] {
				case prefixBeacon:
					if len(v) < beaconHeader {
						return errCorrupt
					}
					at = int64(binary.BigEndian.Uint64(v[16:]))
				default:
					if len(v) < 8 {
						return errCorrupt
					}
					at = int64(binary.BigEndian.Uint64(v))
				}
				return nil
			})
			if err != nil {
				return err
			}
			if at >= cutoffMs {
				continue
			}
			dead = append(dead, k)
			switch k[0] {
			case prefixBeacon:
				st.Beacons++
			case prefixWitness:
				st.Witnesses++
			default:
				st.Tombstones++
			}
		}
		return nil
	})
	if err != nil || len(dead) == 0 {
		return st, err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range dead {
		if err := wb.Delete(k); err != nil {
			return st, err
		}
	}
	return st, wb.Flush()
}

// RunGC runs value-log GC until there is nothing to rewrite.
func (s *Store) RunGC() error {
	for {
		err := s.db.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
