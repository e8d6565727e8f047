package data

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
)

// scaleKeys is the size SPEC §6 holds the store to: 100,000 keys over 100
// users.
const scaleKeys = 100_000

// scaleStorage returns a storage (on the first backend of the table, the
// disk one) holding an account with n keys over n/1000 users, each key with
// a last-used time and every tenth with two CIDR rules, written straight
// as records in large batches: what 100,000 CreateUserKey calls would
// leave, in seconds rather than minutes.
func scaleStorage(tb testing.TB, n int) *storage {
	tb.Helper()
	st := diskStorage(tb, "")
	s, clock := MustOpen(tb, st)
	f := setUpFixture(tb, st, s, clock)
	now := clock.Now()
	var users []int64
	for i := range max(1, n/1000) {
		u := f.addUser(tb, fmt.Sprintf("Scale User %03d", i), fmt.Sprintf("scale%03d@example.com", i), RoleViewer)
		users = append(users, u.ID)
	}
	var ops []Op
	flush := func() {
		if len(ops) > 0 {
			if _, err := s.b.Commit(AnyRev, ops); err != nil {
				tb.Fatal(err)
			}
			ops = ops[:0]
		}
	}
	for i := range n {
		secret, err := NewUserKey()
		must(tb, err)
		hash := HashKey(secret)
		id := uuid.New()
		rec := keyRecord{V: recordVersion, ID: id, Name: fmt.Sprintf("scale-key-%06d", i), UserID: users[i%len(users)],
			SHA256: hex.EncodeToString(hash[:]), Hint: KeyHint(secret), CreatedAt: now, CreatedBy: "command line"}
		if i%10 == 0 {
			rec.Rules = []ruleRecord{{ID: uuid.New(), Prefix: "10.0.0.0/8", CreatedAt: now, UpdatedAt: now},
				{ID: uuid.New(), Prefix: "2001:db8::/32", CreatedAt: now, UpdatedAt: now}}
		}
		b, err := json.Marshal(rec)
		must(tb, err)
		lu, err := json.Marshal(lastUsedRecord{V: recordVersion, At: now, From: "198.51.100.7"})
		must(tb, err)
		ops = append(ops, Op{Key: uuidKey(prefixKey, id), Value: b}, Op{Key: uuidKey(prefixLastUsed, id), Value: lu})
		if len(ops) >= 400 {
			flush()
		}
	}
	flush()
	must(tb, s.Close())
	return st
}

// BenchmarkOpenScale opens a store of 100,000 keys: what every command
// and `serve` pay before they start.
func BenchmarkOpenScale(b *testing.B) {
	st := scaleStorage(b, scaleKeys)
	for b.Loop() {
		s, err := st.open(Options{FlushInterval: time.Hour, SealKeyFile: filepath.Join(st.dir, sealFileName)})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.UserKeys()) != scaleKeys {
			b.Fatal("keys missing")
		}
		s.Close()
	}
}

// BenchmarkIndexPerKey reports the live heap the index of 100,000 keys
// takes, per key (SPEC §6: under 400 bytes).
func BenchmarkIndexPerKey(b *testing.B) {
	st := scaleStorage(b, scaleKeys)
	var perKey float64
	for b.Loop() {
		empty := diskStorage(b, "")
		s0, err := empty.open(Options{FlushInterval: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		base := liveHeap()
		s, err := st.open(Options{FlushInterval: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		perKey = float64(liveHeap()-base) / scaleKeys
		runtime.KeepAlive(s0)
		s.Close()
		s0.Close()
	}
	b.ReportMetric(perKey, "B/key")
}

// liveHeap returns the live heap after full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
