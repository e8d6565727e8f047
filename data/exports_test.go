package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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

// exportSamples are keys that exercise every field of KeyExport and every
// escape of a JSON string.
func exportSamples(t testing.TB) []UserKey {
	at := time.Date(2026, 12, 1, 9, 30, 15, 123456789, time.UTC)
	east := time.FixedZone("east", 5*3600+30*60)
	full := UserKey{ID: uuid.MustParse("0e1d2c3b-4a59-6877-8695-a4b3c2d1e0ff"), Name: "deploy",
		UserID: 7, UserName: "Ada <admin> & \"co\"", UserEmail: "ada@example.com", Status: KeyDisabled,
		Hint: "kwu_…a1B2", CreatedAt: at, CreatedBy: "console", LastUsedAt: at.Add(time.Hour).In(east),
		LastUsedFrom: netip.MustParseAddr("2001:db8::1"), ExpiresAt: at.AddDate(1, 0, 0),
		GraceUntil: at.Add(24 * time.Hour), DisabledAt: at.Add(2 * time.Hour), DisabledBy: "ada@example.com",
		Description: "line\nbreak\ttab\b\f\r\x01\x1f\x7f \u2028\u2029 é 日本 \xff\xfe end\\",
		AllowList: AllowList{
			{ID: uuid.New(), Prefix: netip.MustParsePrefix("10.0.0.0/8"), CreatedAt: at, UpdatedAt: at.Add(time.Minute)},
			{ID: uuid.New(), Prefix: netip.MustParsePrefix("2001:db8::/32"), CreatedAt: at.In(east), UpdatedAt: at},
		}}
	// Every field of the export is set (but active: the plain key's is
	// true): a field added to KeyExport and not to AppendKeyJSON fails
	// the comparison.
	e := reflect.ValueOf(ExportKey(full))
	for i := range e.NumField() {
		if e.Field(i).IsZero() && e.Field(i).Kind() != reflect.Bool {
			t.Fatalf("the full sample leaves KeyExport.%s unset", e.Type().Field(i).Name)
		}
	}
	plain := UserKey{ID: uuid.New(), Name: "filler-key-00001", UserName: "Bench Viewer", UserEmail: "v@example.com",
		Status: KeyActive, Hint: "kwu_…eyRn", CreatedAt: at, CreatedBy: "command line"}
	usedFromNowhere := plain
	usedFromNowhere.LastUsedAt = at // an address never recorded
	oneRule := plain
	oneRule.AllowList = full.AllowList[:1]
	return []UserKey{full, plain, usedFromNowhere, oneRule, {}}
}

// TestAppendKeyJSONIsMarshalIndent: the hand-written JSON of a key is
// byte for byte what encoding/json writes of its export.
func TestAppendKeyJSONIsMarshalIndent(t *testing.T) {
	for _, k := range exportSamples(t) {
		for _, layout := range [][2]string{{"", "  "}, {"  ", "  "}, {"", ""}, {"\t", "\t"}} {
			checkAppendKeyJSON(t, k, layout[0], layout[1])
		}
	}
	// The times encoding/json refuses are refused too.
	k := exportSamples(t)[1]
	k.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	checkAppendKeyJSON(t, k, "", "  ")
	k.ExpiresAt = time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 24*3600))
	checkAppendKeyJSON(t, k, "", "  ")
}

func checkAppendKeyJSON(t testing.TB, k UserKey, prefix, indent string) {
	t.Helper()
	want, wantErr := json.MarshalIndent(ExportKey(k), prefix, indent)
	got, err := AppendKeyJSON([]byte("before"), k, prefix, indent)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("AppendKeyJSON error %v, encoding/json's %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if string(got) != "before"+string(want) {
		t.Fatalf("AppendKeyJSON(%q, %q) wrote\n%s\nencoding/json writes\n%s", prefix, indent, got, want)
	}
}

func FuzzAppendKeyJSON(f *testing.F) {
	f.Add("deploy", "Ada <a> & b", "line\n\u2028\xff", int64(0), int64(1), 5*3600)
	f.Add("", "", "", int64(-1), int64(999999999), -12*3600)
	f.Fuzz(func(t *testing.T, name, user, description string, sec, nsec int64, offset int) {
		k := exportSamples(t)[0]
		k.Name, k.UserName, k.Description, k.DisabledBy, k.Status = name, user, description, user, KeyStatus(name)
		k.CreatedAt = time.Unix(sec, nsec).In(time.FixedZone("", offset%(100*3600)))
		checkAppendKeyJSON(t, k, "  ", "  ")
	})
}

func BenchmarkAppendKeyJSON(b *testing.B) {
	k := exportSamples(b)[1]
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.MarshalIndent(ExportKey(k), "  ", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendKeyJSON", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			var err error
			if buf, err = AppendKeyJSON(buf[:0], k, "  ", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
