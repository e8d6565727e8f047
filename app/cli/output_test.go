package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestTableIsTabwriters: table lays out what text/tabwriter does, byte for
// byte, for cells of every width, in any script, and empty ones; cells
// with tabwriter's own characters go through tabwriter.
func TestTableIsTabwriters(t *testing.T) {
	// The last five are cells tabwriter reads its own way.
	words := []string{"", "a", "Ada Owner", "Zoë Ünal", "日本語の名前", "10.0.0.0/8, 2001:db8::/32", "2026-12-01 09:00 UTC", "kw-key_0001", "bad\x80byte",
		"tab\there", "new\nline", "vertical\vtab", "carriage\rreturn", "esc\xffape"}
	const special = 5
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		cols := 1 + rng.IntN(6)
		header := make([]string, cols)
		for j := range header {
			header[j] = strings.ToUpper(words[1+rng.IntN(7)])
		}
		rows := make([][]string, rng.IntN(40))
		for i := range rows {
			rows[i] = make([]string, cols)
			for j := range rows[i] {
				n := len(words) - special
				if round%10 == 0 {
					n = len(words) // now and then, a cell tabwriter reads its way
				}
				rows[i][j] = words[rng.IntN(n)]
			}
		}
		want := tabwriterTable(header, rows)
		if got := table(header, rows); got != want {
			t.Fatalf("table(%q, %q) =\n%s\ntabwriter:\n%s", header, rows, got, want)
		}
		// Laid out a few rows at a time, as 100,000 keys are.
		chunk := 1 + rng.IntN(8)
		var b strings.Builder
		if err := layoutTable(&b, header, len(rows), chunk, func(i int, cells []string) { copy(cells, rows[i]) }); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != want {
			t.Fatalf("layoutTable(%q, %q) in chunks of %d =\n%s\ntabwriter:\n%s", header, rows, chunk, got, want)
		}
	}
}

// TestPrintListIsPrint: --json lists written item by item are what print
// writes of the whole list.
func TestPrintListIsPrint(t *testing.T) {
	type item struct {
		Name  string            `json:"name"`
		Rules []string          `json:"rules"`
		At    *time.Time        `json:"at"`
		Tags  map[string]string `json:"tags,omitempty"`
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 1, 2, 5, 512, 1500} {
		items := make([]item, n)
		for i := range items {
			items[i] = item{Name: fmt.Sprintf("<key %d> & \"co\"", i), Rules: []string{}}
			if i%2 == 1 {
				items[i].At, items[i].Rules, items[i].Tags = &now, []string{"10.0.0.0/8", "::1/128"}, map[string]string{"b": "2", "a": "1"}
			}
		}
		var whole, listed bytes.Buffer
		(&runner{env: Env{Stdout: &whole}, json: true}).print(items, "")
		if err := (&runner{env: Env{Stdout: &listed}, json: true}).printList(n, func(b []byte, i int) ([]byte, error) {
			item, err := json.MarshalIndent(items[i], "  ", "  ")
			return append(b, item...), err
		}, nil); err != nil {
			t.Fatal(err)
		}
		if whole.String() != listed.String() {
			t.Fatalf("%d items: printList wrote\n%s\nprint wrote\n%s", n, listed.String(), whole.String())
		}
		if !json.Valid(listed.Bytes()) {
			t.Fatalf("%d items: not JSON", n)
		}
	}
}
