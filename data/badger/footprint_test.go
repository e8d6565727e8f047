package badger

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"keyward/data"
)

// liveHeap returns the live heap after full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// dirSize is the space the files under dir take: apparent (as ls shows it)
// and allocated (sparse files count only what is written).
func dirSize(tb testing.TB, dir string) (apparent, allocated int64) {
	tb.Helper()
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		apparent += fi.Size()
		allocated += allocatedSize(fi)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return apparent, allocated
}

const mib = 1 << 20

// TestStoreFootprint holds the desktop tuning to its budget: an open, empty
// store adds at most 25 MiB of live heap.
func TestStoreFootprint(t *testing.T) {
	before := liveHeap()
	s, err := OpenStore(t.TempDir(), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	grown := float64(liveHeap()-before) / mib
	if grown > 25 {
		t.Fatalf("an open store adds %.1f MiB of heap, over the 25 MiB budget", grown)
	}
}

// BenchmarkStoreFootprint reports the heap and disk an open, empty store
// takes, with Keyward's options and with Badger's defaults.
func BenchmarkStoreFootprint(b *testing.B) {
	open := map[string]func(dir string) (func() error, error){
		"badger-defaults": func(dir string) (func() error, error) {
			db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
			if err != nil {
				return nil, err
			}
			return db.Close, nil
		},
		"keyward": func(dir string) (func() error, error) {
			s, err := OpenStore(dir, data.Options{})
			if err != nil {
				return nil, err
			}
			return s.Close, nil
		},
	}
	for _, name := range []string{"badger-defaults", "keyward"} {
		b.Run(name, func(b *testing.B) {
			var heap float64
			var apparent, allocated int64
			for b.Loop() {
				dir := b.TempDir()
				before := liveHeap()
				closeFn, err := open[name](dir)
				if err != nil {
					b.Fatal(err)
				}
				heap = float64(liveHeap()-before) / mib
				apparent, allocated = dirSize(b, dir)
				if err := closeFn(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(heap, "heap-MiB")
			b.ReportMetric(float64(apparent)/mib, "files-MiB")
			b.ReportMetric(float64(allocated)/mib, "disk-MiB")
		})
	}
}
