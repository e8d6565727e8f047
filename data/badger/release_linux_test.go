package badger

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"keyward/data"
)

// tableRSS sums the resident KiB of this process's mappings of the table
// files in dir.
func tableRSS(t *testing.T, dir string) (kib, tables int) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps here")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inTable := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && len(fields[1]) == 4:
			// A mapping's first line; anonymous ones have no path.
			path := ""
			if len(fields) >= 6 {
				path = line[strings.Index(line, fields[5]):]
			}
			inTable = strings.HasPrefix(path, dir) && strings.HasSuffix(path, ".sst")
			if inTable {
				tables++
			}
		case inTable && len(fields) >= 2 && fields[0] == "Rss:":
			var n int
			fmt.Sscan(fields[1], &n)
			kib += n
		}
	}
	return kib, tables
}

// TestReleaseMemoryGivesBackTablePages: once the store has read its
// tables at open, ReleaseMemory takes their pages out of the process's
// resident memory, and the store reads them again as before.
func TestReleaseMemoryGivesBackTablePages(t *testing.T) {
	// A name with spaces, reached through a symbolic link.
	real := filepath.Join(t.TempDir(), "data dir")
	must(t, os.Mkdir(real, 0o700))
	dir := filepath.Join(t.TempDir(), "link")
	must(t, os.Symlink(real, dir))
	s, err := OpenStore(dir, data.Options{})
	must(t, err)
	_, owner, err := s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: "a long owner password"})
	must(t, err)
	for i := range 1000 {
		_, _, err := s.CreateUserKey(data.CommandLine, fmt.Sprintf("release-key-%05d", i), owner.ID)
		must(t, err)
	}
	must(t, s.Close()) // the records go into table files

	s, err = OpenStore(dir, data.Options{})
	must(t, err)
	defer s.Close()
	before, tables := tableRSS(t, filepath.Join(real, "badger"))
	if tables == 0 || before == 0 {
		t.Fatalf("opening read %d KiB of %d table mappings", before, tables)
	}
	s.ReleaseMemory()
	if after, _ := tableRSS(t, filepath.Join(real, "badger")); after > before/4 {
		t.Fatalf("the tables' pages: %d KiB resident before ReleaseMemory, %d after", before, after)
	}
	if n := len(s.UserKeys()); n != 1000 {
		t.Fatalf("after ReleaseMemory the store lists %d keys", n)
	}
	logs, err := s.SystemLog(data.LogQuery{Limit: 5000})
	must(t, err)
	if len(logs) != 1002 {
		t.Fatalf("after ReleaseMemory the system log has %d entries, want 1002", len(logs))
	}
}
