package ingest

import (
	"encoding/binary"
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/pocnet/pocd/wire"
)

// Group commit of witness reports. Every acknowledged report must be on
// disk, and each synced badger write costs an msync of the memtable's
// write-ahead log: on the four-validator devnet that was 12 % of a
// validator's CPU at 250 reports/s, one sync per report, as much as
// verifying the report's two signatures (docs/benchmarks.md, "Four
// validators under load"). Concurrent PutWitness calls are therefore
// gathered for at most witnessGroupWait, or until witnessGroupMax of them
// wait, and written in one transaction with one sync; each caller returns
// only after that sync, so a report is still durable before its gossip
// validator accepts it.
const (
	// witnessGroupWait is what a report may wait for others to share its
	// sync: a hundredth of the shortest witness-admission in use (1 s).
	// Without a wait, only reports arriving during another's sync share
	// it, which at a validator's few hundred a second is almost none.
	// Gossipsub forwards a report once it is validated, so each hop adds
	// up to this much, against witness windows of seconds.
	witnessGroupWait = 10 * time.Millisecond
	// witnessGroupMax keeps a group far below badger's transaction limit
	// (15 % of the 16 MB memtable, 2.4 MB) whatever max-message-bytes an
	// operator sets: a value under the 1 KB value threshold counts whole,
	// a larger one goes to the value log and counts as a 14-byte pointer,
	// so 128 reports count at most about 150 KB.
	witnessGroupMax = 128
)

// ErrStoreClosed: the queue was closed while a report waited to be written.
var ErrStoreClosed = errors.New("ingest queue closed")

type witnessPut struct {
	ph   wire.PayloadHash
	e    WitnessEntry
	done chan witnessPutResult
}

type witnessPutResult struct {
	stored bool
	err    error
}

// PutWitness stores a witness report unless the queue holds one from the
// same witness (e.ID, its public key) for the payload already. It returns
// ErrLate if its beacon was already relayed, and returns once the report
// is synced to disk (sharing the sync with concurrent calls).
func (s *Store) PutWitness(ph wire.PayloadHash, e WitnessEntry) (bool, error) {
	p := witnessPut{ph: ph, e: e, done: make(chan witnessPutResult, 1)}
	select {
	case s.puts <- p:
	case <-s.quit:
		return false, ErrStoreClosed
	}
	r := <-p.done
	return r.stored, r.err
}

// WitnessGroups is how many transactions have committed witness reports.
func (s *Store) WitnessGroups() int64 { return s.groups.Load() }

// writeWitnessGroups runs until Close: it takes a put, gathers the ones
// arriving within witnessGroupWait, and writes them together. s.puts is
// unbuffered, so every put taken is answered.
func (s *Store) writeWitnessGroups() {
	defer close(s.groupsDone)
	// Go 1.23+ timers: after Stop no stale fire is left to drain.
	timer := time.NewTimer(witnessGroupWait)
	timer.Stop()
	for {
		var group []witnessPut
		select {
		case p := <-s.puts:
			group = append(group, p)
		case <-s.quit:
			return
		}
		timer.Reset(witnessGroupWait)
	gather:
		for len(group) < witnessGroupMax {
			select {
			case p := <-s.puts:
				group = append(group, p)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		s.writeWitnessGroup(group)
	}
}

// writeWitnessGroup writes a group in one transaction. A report refused
// on its own account (late, queue full, a duplicate) does not fail the
// others; a store error fails the group and every caller sees it.
func (s *Store) writeWitnessGroup(group []witnessPut) {
	results := make([]witnessPutResult, len(group))
	stored := 0
	err := s.update(func(txn *badger.Txn, admit func(int) error) error {
		stored = 0
		for i, p := range group {
			ok, err := putWitnessIn(txn, admit, p.ph, p.e)
			if err != nil && !errors.Is(err, ErrLate) && !errors.Is(err, ErrQueueFull) {
				return err
			}
			results[i] = witnessPutResult{stored: ok, err: err}
			if ok {
				stored++
			}
		}
		if s.testHookWitnessGroup != nil {
			return s.testHookWitnessGroup()
		}
		return nil
	})
	if err == nil && stored > 0 {
		s.groups.Add(1)
	}
	for i, p := range group {
		if err != nil {
			results[i] = witnessPutResult{err: err}
		}
		p.done <- results[i]
	}
}

// putWitnessIn is PutWitness's check and write inside txn; later reports
// of a group see the earlier ones' writes.
func putWitnessIn(txn *badger.Txn, admit func(int) error, ph wire.PayloadHash, e WitnessEntry) (bool, error) {
	if _, err := txn.Get(payloadKey(ph)); err == nil {
		return false, ErrLate
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return false, err
	}
	k := witnessKey(ph, e.ID)
	if _, err := txn.Get(k); err == nil {
		return false, nil
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return false, err
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(e.Raw)), uint64(e.ArrivedMs))
	v = append(v, e.Raw...)
	if err := admit(len(k) + len(v)); err != nil {
		return false, err
	}
	return true, txn.Set(k, v)
}
