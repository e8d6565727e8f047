package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestExports(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		hostile := "=HYPERLINK(\"http://evil.example\")"
		u := f.addUser(t, hostile, "eve@example.com", RoleViewer)
		k, secret := f.createKey(t, "ci-deploy-key", u)
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "10.0.0.0/8")
		must(t, err)
		_, err = f.s.SetKeyDescription(CommandLine, k.ID, "+ the deploy job")
		must(t, err)
		keys := f.s.UserKeys()

		var js bytes.Buffer
		must(t, WriteKeys(&js, ExportJSON, keys))
		var back []KeyExport
		must(t, json.Unmarshal(js.Bytes(), &back))
		if len(back) != 1 || back[0].Name != "ci-deploy-key" || back[0].User != hostile || back[0].Description != "+ the deploy job" ||
			len(back[0].AllowList) != 1 || back[0].AllowList[0].Prefix != "10.0.0.0/8" || back[0].Status != "active" {
			t.Fatalf("JSON export = %+v", back)
		}

		var cs bytes.Buffer
		must(t, WriteKeys(&cs, ExportCSV, keys))
		rows, err := csv.NewReader(&cs).ReadAll()
		must(t, err)
		if len(rows) != 2 || rows[0][0] != "name" || rows[1][0] != "ci-deploy-key" || rows[1][6] != "10.0.0.0/8" {
			t.Fatalf("CSV export = %q", rows)
		}
		// A cell a spreadsheet would run as a formula is led by an apostrophe.
		if rows[1][1] != "'"+hostile || rows[1][5] != "'+ the deploy job" {
			t.Fatalf("formula cells = %q, %q", rows[1][1], rows[1][5])
		}
		for _, out := range []string{js.String(), cs.String()} {
			if strings.Contains(out, secret) || strings.Contains(out, f.accountKey) {
				t.Fatal("an export holds a secret")
			}
		}

		log, err := f.s.SystemLog(LogQuery{Limit: 3})
		must(t, err)
		var lj, lc bytes.Buffer
		must(t, WriteSystemLog(&lj, ExportJSON, log))
		must(t, WriteSystemLog(&lc, ExportCSV, log))
		var entries []SystemLogEntry
		must(t, json.Unmarshal(lj.Bytes(), &entries))
		lrows, err := csv.NewReader(&lc).ReadAll()
		must(t, err)
		if len(entries) != 3 || entries[0].ID != log[0].ID || len(lrows) != 4 || lrows[1][7] != log[0].Description {
			t.Fatalf("log exports: %d entries, %d rows", len(entries), len(lrows))
		}
		var empty bytes.Buffer
		must(t, WriteSystemLog(&empty, ExportJSON, nil))
		if strings.TrimSpace(empty.String()) != "[]" {
			t.Fatalf("an empty log exports as %q", empty.String())
		}
	})
}

func TestExportFormatOf(t *testing.T) {
	for name, want := range map[string]ExportFormat{"keys.csv": ExportCSV, "KEYS.JSON": ExportJSON, "a.b.json": ExportJSON, "keys": ExportCSV} {
		if got, err := ExportFormatOf(name); err != nil || got != want {
			t.Errorf("ExportFormatOf(%q) = %q, %v", name, got, err)
		}
	}
	if _, err := ExportFormatOf("keys.xlsx"); ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), ".csv nor .json") {
		t.Fatalf("keys.xlsx: %v", err)
	}
}
