package redis

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/redis/redistest"
)

// TestScanAcrossPagesShowsOneState: batches committed while a Scan reads
// page after page (changing, adding, deleting and re-adding records on
// pages read and not yet read, and moving the page boundaries) leave the
// Scan showing the records as they were when it began, in order both
// ways; the next Scan shows them as they are. The batches come while the
// first page is handed out, when the second page's keys are read already
// (with the first page's records) and the third's and fourth's not yet.
func TestScanAcrossPagesShowsOneState(t *testing.T) {
	srv := redistest.Shared(t)
	b := mustOpen(t, srv.URL(redistest.Account()))
	const n = 3*pageSize + 200
	key := func(i int) string { return fmt.Sprintf("s/%04d", i) }
	var initial []data.Op
	for i := range n {
		initial = append(initial, set(key(i), "old"))
	}
	changes := [][]data.Op{
		{set(key(1), "new"), set(key(pageSize+200), "new"), {Key: []byte(key(n - 100))}, set(key(pageSize+250)+"a", "added"),
			set(key(n-1)+"z", "added"), {Key: []byte(key(n - 300)), Value: []byte("brief"), TTL: time.Hour}, set("s", "outside"), set("t/1", "outside")},
		{set(key(pageSize+200), "newer"), set(key(n-100), "back"), {Key: []byte(key(pageSize+250) + "a")}, set(key(2), "new")},
	}
	records := func(reverse bool, during func()) []string {
		var got []string
		err := b.Scan([]byte("s/"), reverse, func(k, v []byte) (bool, error) {
			if got == nil && during != nil {
				during()
			}
			got = append(got, string(k)+"="+string(v))
			return true, nil
		})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		return got
	}
	for _, reverse := range []bool{false, true} {
		if _, err := b.Commit(data.AnyRev, slices.Clone(initial)); err != nil {
			t.Fatal(err)
		}
		cleanup := []data.Op{{Key: []byte(key(pageSize+250) + "a")}, {Key: []byte(key(n-1) + "z")}}
		if _, err := b.Commit(data.AnyRev, cleanup); err != nil {
			t.Fatal(err)
		}
		before := records(reverse, nil)
		got := records(reverse, func() {
			for _, ops := range changes {
				if _, err := b.Commit(data.AnyRev, slices.Clone(ops)); err != nil {
					t.Fatal(err)
				}
			}
		})
		if len(before) != n || !slices.Equal(got, before) {
			t.Errorf("Scan(reverse %v) during the batches saw %d records, want the %d before them (first difference: %s)", reverse, len(got), len(before), firstDifference(got, before))
		}
		after := records(reverse, nil)
		want := map[string]string{key(1): "new", key(2): "new", key(pageSize + 200): "newer", key(n - 100): "back", key(n - 300): "brief", key(n-1) + "z": "added"}
		changed := 0
		for _, r := range after {
			k, v, _ := cut(r)
			if w, ok := want[k]; ok {
				if v != w {
					t.Errorf("after the batches %s = %q, want %q", k, v, w)
				}
				changed++
			}
		}
		if len(after) != n+1 || changed != len(want) {
			t.Errorf("after the batches Scan(reverse %v) found %d records (%d of the changed ones), want %d (%d)", reverse, len(after), changed, n+1, len(want))
		}
	}
}

// TestScanOfFullPagesKeepsADeletedLastKey: a Scan of exactly two full
// pages, during which the last key is deleted and one is added after it,
// shows the last key still (it is on the second page, whose keys were
// read before the deletion and whose records after it) and not the new
// one (on a third page, of a key that was not there when it began).
func TestScanOfFullPagesKeepsADeletedLastKey(t *testing.T) {
	srv := redistest.Shared(t)
	b := mustOpen(t, srv.URL(redistest.Account()))
	const n = 2 * pageSize
	key := func(i int) string { return fmt.Sprintf("f/%04d", i) }
	var initial []data.Op
	for i := range n {
		initial = append(initial, set(key(i), "old"))
	}
	if _, err := b.Commit(data.AnyRev, initial); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := b.Scan([]byte("f/"), false, func(k, v []byte) (bool, error) {
		if got == nil {
			if _, err := b.Commit(data.AnyRev, []data.Op{{Key: []byte(key(n - 1))}, set(key(n-1)+"z", "added")}); err != nil {
				t.Fatal(err)
			}
		}
		got = append(got, string(k)+"="+string(v))
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[n-1] != key(n-1)+"=old" {
		t.Fatalf("Scan saw %d records, the last %q; want %d, the last %s=old", len(got), got[len(got)-1], n, key(n-1))
	}
}

func cut(record string) (string, string, bool) {
	for i := range record {
		if record[i] == '=' {
			return record[:i], record[i+1:], true
		}
	}
	return record, "", false
}

func firstDifference(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("record %d is %s, want %s", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d records, want %d", len(got), len(want))
}
