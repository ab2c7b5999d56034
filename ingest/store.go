package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/pocnet/pocd/wire"
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
//	i|hotspot address                 -> interval bucket of its last beacon, until (ms)
//
// A witness report's id in its key is the witness's public key, so a
// witness has at most one report per beacon.
//
// Witnesses are keyed by their payload, which is how a witness names the
// beacon it heard; they may arrive before the beacon.
type Store struct {
	db  *badger.DB
	dir string
	// Disk ceiling: new reports are refused once the directory holds
	// maxBytes (0: no ceiling). onDisk is the last measured size, written
	// what was put since; writes that finish what was acknowledged (relay
	// state, completion, expiry) are never refused.
	maxBytes int64
	onDisk   atomic.Int64
	written  atomic.Int64

	// Witness reports are written in groups (store_group.go).
	puts       chan witnessPut
	quit       chan struct{}
	groupsDone chan struct{}
	groups     atomic.Int64
	closeOnce  sync.Once
	// testHookWitnessGroup, when set, runs at the end of each attempt to
	// write a witness group, inside its transaction; an error fails it.
	testHookWitnessGroup func() error
}

// ErrQueueFull: the queue is at its disk ceiling (ingest.max-queue-bytes).
var ErrQueueFull = errors.New("ingest queue at its disk ceiling")

// ErrIntervalUsed: the hotspot already has a beacon admitted in this
// interval bucket (or a later one).
var ErrIntervalUsed = errors.New("beacon interval bucket already used")

// SetCeiling sets the disk ceiling and measures the directory.
func (s *Store) SetCeiling(maxBytes int64) error {
	s.maxBytes = maxBytes
	return s.MeasureDisk()
}

// MeasureDisk re-reads the directory's size (ingest does it every second).
func (s *Store) MeasureDisk() error {
	var n int64
	err := filepath.WalkDir(s.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a file badger removed meanwhile
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			n += allocated(info)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.onDisk.Store(n)
	s.written.Store(0)
	return nil
}

// allocated is the disk space a file takes: badger preallocates its value
// log and memory-maps sparse files, whose apparent size is far larger.
func allocated(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return info.Size()
}

// DiskBytes is the queue's estimated size on disk.
func (s *Store) DiskBytes() int64 { return s.onDisk.Load() + s.written.Load() }

func (s *Store) admit(n int) error {
	if s.maxBytes > 0 && s.DiskBytes()+int64(n) > s.maxBytes {
		return ErrQueueFull
	}
	s.written.Add(int64(n))
	return nil
}

// IntervalSlot is the interval bucket a beacon uses up.
type IntervalSlot struct {
	Hotspot string
	Bucket  int64
	UntilMs int64 // end of the bucket: the record is kept until then
}

func slotKey(hotspot string) []byte { return append([]byte{prefixInterval}, hotspot...) }

const (
	prefixBeacon    = 'b'
	prefixWitness   = 'w'
	prefixTombstone = 't'
	prefixPayload   = 'p'
	prefixInterval  = 'i'
	payloadHashLen  = wire.PayloadHashBytes
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
	st := &Store{db: db, dir: dir, puts: make(chan witnessPut), quit: make(chan struct{}), groupsDone: make(chan struct{})}
	if err := st.MeasureDisk(); err != nil {
		db.Close()
		return nil, err
	}
	go st.writeWitnessGroups()
	return st, nil
}

// Close stops the witness writer, after the group it is writing, and
// flushes and closes the queue.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.quit) })
	<-s.groupsDone
	return s.db.Close()
}

// BeaconState is where a queued beacon is in the relay cycle.
type BeaconState byte

const (
	StatePending   BeaconState = 0 // waiting for its window, or for a retry
	StateSubmitted BeaconState = 1 // accepted by CheckTx, awaiting inclusion
)

// BeaconEntry is a queued beacon.
type BeaconEntry struct {
	ID          [32]byte
	PayloadHash wire.PayloadHash
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
func payloadKey(ph wire.PayloadHash) []byte {
	return append([]byte{prefixPayload}, ph[:]...)
}

func witnessPrefix(ph wire.PayloadHash) []byte { return append([]byte{prefixWitness}, ph[:]...) }
func witnessKey(ph wire.PayloadHash, id [32]byte) []byte {
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

// PutBeacon stores a beacon unless it is queued or was already relayed (it
// returns false for a duplicate). With a slot, it also uses up the
// hotspot's interval bucket, in the same transaction: ErrIntervalUsed if
// the hotspot already beaconed in it or a later one.
func (s *Store) PutBeacon(e BeaconEntry, slot *IntervalSlot) (bool, error) {
	stored := false
	v := encodeBeacon(e)
	err := s.update(func(txn *badger.Txn, admit func(int) error) error {
		stored = false
		for _, k := range [][]byte{beaconKey(e.ID), tombKey(e.ID)} {
			if _, err := txn.Get(k); err == nil {
				return nil
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
		}
		if slot != nil {
			item, err := txn.Get(slotKey(slot.Hotspot))
			switch {
			case err == nil:
				if err := item.Value(func(b []byte) error {
					if len(b) != 16 {
						return errCorrupt
					}
					if int64(binary.BigEndian.Uint64(b)) >= slot.Bucket {
						return ErrIntervalUsed
					}
					return nil
				}); err != nil {
					return err
				}
			case !errors.Is(err, badger.ErrKeyNotFound):
				return err
			}
		}
		if err := admit(len(v) + 2*len(e.ID)); err != nil {
			return err
		}
		if slot != nil {
			b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(slot.Bucket))
			if err := txn.Set(slotKey(slot.Hotspot), binary.BigEndian.AppendUint64(b, uint64(slot.UntilMs))); err != nil {
				return err
			}
		}
		stored = true
		return txn.Set(beaconKey(e.ID), v)
	})
	return stored, err
}

// update runs a read-then-write transaction, retrying when a concurrent
// one committed a key it read (the same report from another peer, or the
// relayer closing the beacon): the retry then sees what happened. f counts
// what it writes against the disk ceiling with the admit it is given; an
// attempt that does not commit (a conflict, or a failure) takes back what
// it counted, so each stored record counts once.
func (s *Store) update(f func(txn *badger.Txn, admit func(n int) error) error) error {
	for {
		var counted int64
		admit := func(n int) error {
			if err := s.admit(n); err != nil {
				return err
			}
			counted += int64(n)
			return nil
		}
		err := s.db.Update(func(txn *badger.Txn) error { return f(txn, admit) })
		if err != nil {
			s.written.Add(-counted)
		}
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
}

// ErrLate means the witness's beacon was already relayed.
var ErrLate = errors.New("beacon already relayed")

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
func (s *Store) Witnesses(ph wire.PayloadHash) ([]WitnessEntry, error) {
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
func (s *Store) witnessKeys(phs ...wire.PayloadHash) ([][]byte, error) {
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
func (s *Store) CloseWitnesses(nowMs int64, phs ...wire.PayloadHash) error {
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
	phs := make([]wire.PayloadHash, len(es))
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
// written) before cutoffMs, and every interval record whose bucket ended
// before nowMs. This, not badger's TTL, is the rule that bounds
// the queue: a report older than the TTL can no longer be judged valid by
// the chain (its entropy or timestamp has lapsed).
func (s *Store) Expire(nowMs, cutoffMs int64) (ExpireStats, error) {
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
				case prefixInterval:
					if len(v) != 16 {
						return errCorrupt
					}
					// Kept until its bucket ends: compared with nowMs.
					at = int64(binary.BigEndian.Uint64(v[8:])) - nowMs + cutoffMs
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
