package data

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// decoderSeeds are records as json.Marshal writes them, and the forms the
// hand-written decoders leave to encoding/json.
func decoderSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	id := uuid.MustParse("6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f")
	var seeds [][]byte
	for _, v := range []any{
		keyRecord{V: recordVersion, ID: id, Name: "billing-export", UserID: 7,
			SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Hint: "kwu_…a1B2", CreatedAt: at, CreatedBy: "command line"},
		keyRecord{V: recordVersion, ID: id, Name: "Ünïcode-Näme", UserID: -3, CreatedAt: at.Add(123456789), CreatedBy: "Ada Owner",
			Rules: []ruleRecord{{ID: id, Prefix: "10.0.0.0/8", CreatedAt: at, UpdatedAt: at.Add(time.Hour)}, {Prefix: "2001:db8::/32"}}},
		keyRecord{},
		lastUsedRecord{V: recordVersion, At: at.Add(987654321), From: "198.51.100.7"},
		lastUsedRecord{V: recordVersion, At: at, From: "2001:db8::1", RefusedAt: at.Add(time.Second), RefusedFrom: "203.0.113.9"},
		lastUsedRecord{V: recordVersion, RefusedAt: at.In(time.FixedZone("", 2*3600)), RefusedFrom: "192.0.2.1"},
	} {
		b, err := json.Marshal(v)
		must(tb, err)
		seeds = append(seeds, b)
	}
	// What json.Marshal escapes is left to encoding/json.
	b, err := json.Marshal(keyRecord{V: recordVersion, CreatedBy: "Ada <Owner> & co"})
	must(tb, err)
	seeds = append(seeds, b)
	for _, s := range []string{
		` { "v" : 1 , "name" : "spaced-out-key" } `,
		`{"v":1,"name":"a\"quote"}`, `{"v":1,"name":"tab\tin"}`, `{"v":1,"name":"bad\xffutf8"}`,
		`{"V":1}`, `{"v":1,"v":2}`, `{"v":1.0}`, `{"v":1e0}`, `{"v":-0}`, `{"v":01}`, `{"v":9223372036854775807}`,
		`{"v":9223372036854775808}`, `{"userId":-9223372036854775808}`, `{"v":null}`, `{"rules":null}`, `{"rules":[]}`,
		`{"rules":[{"id":"urn:uuid:6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"},{}]}`, `{"rules":[{"prefix":"a","prefix":"b"}]}`,
		`{"id":"{6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f}"}`, `{"id":"6F1C2B9E3D4A4C5B9E8F0A1B2C3D4E5F"}`, `{"id":"not-a-uuid"}`,
		`{"createdAt":"2026-12-01T09:30:00+02:00"}`, `{"createdAt":"2026-12-01t09:30:00z"}`, `{"createdAt":"2026-13-01T09:30:00Z"}`,
		`{"at":"2026-12-01T09:30:00.5Z","from":""}`, `{"at":null}`, `{"at":"2026-12-01T09:30:00Z"`, `{"v":2}`, `{"v":1}x`,
		`{"unknown":1}`, `[]`, ``, `null`, `{}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzRecordDecoders holds the hand-written decoders to encoding/json: on
// any input they decode the same record, or fail where it fails.
func FuzzRecordDecoders(f *testing.F) {
	for _, s := range decoderSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecoder(t, b, readKeyRecord, decodeKeyRecord)
		checkDecoder(t, b, readLastUsed, decodeLastUsed)
	})
}

// checkDecoder compares a hand-written reader, and the decoder built on
// it, with encoding/json on b.
func checkDecoder[R any, P interface {
	*R
	versioned
}](t *testing.T, b []byte, read func([]byte, P) bool, dec func([]byte, P) error) {
	t.Helper()
	var want R
	wantErr := decode(b, P(&want))
	var got R
	if read(b, P(&got)) {
		var plain R
		if err := json.Unmarshal(b, &plain); err != nil {
			t.Fatalf("%q: read a record that encoding/json refuses (%v)", b, err)
		}
		if !reflect.DeepEqual(got, plain) {
			t.Fatalf("%q: read %+v, encoding/json %+v", b, got, plain)
		}
	}
	got = *new(R)
	gotErr := dec(b, P(&got))
	if (gotErr == nil) != (wantErr == nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decoded %+v (%v), encoding/json %+v (%v)", b, got, gotErr, want, wantErr)
	}
}

// TestRecordDecodersReadWhatMarshalWrites checks that the records Keyward
// writes take the hand-written path, not the fallback.
func TestRecordDecodersReadWhatMarshalWrites(t *testing.T) {
	for _, s := range decoderSeeds(t)[:6] {
		var k keyRecord
		var lu lastUsedRecord
		if !readKeyRecord(s, &k) && !readLastUsed(s, &lu) {
			t.Errorf("%s: left to encoding/json", s)
		}
		checkDecoder(t, s, readKeyRecord, decodeKeyRecord)
		checkDecoder(t, s, readLastUsed, decodeLastUsed)
	}
	for _, s := range decoderSeeds(t)[6:] {
		checkDecoder(t, s, readKeyRecord, decodeKeyRecord)
		checkDecoder(t, s, readLastUsed, decodeLastUsed)
	}
}

// BenchmarkDecodeKeyRecord compares the hand-written decoder of a key
// record with encoding/json.
func BenchmarkDecodeKeyRecord(b *testing.B) {
	rec, err := json.Marshal(keyRecord{V: recordVersion, ID: uuid.New(), Name: "scale-key-000001", UserID: 12,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Hint: "kwu_…a1B2",
		CreatedAt: time.Now().UTC().Truncate(time.Second), CreatedBy: "command line"})
	must(b, err)
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var k keyRecord
			must(b, decodeKeyRecord(rec, &k))
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var k keyRecord
			must(b, decode(rec, &k))
		}
	})
}

// FuzzParseHash: the stored hash is read as encoding/hex reads it, 32
// bytes in 64 digits of either case, and nothing else.
func FuzzParseHash(f *testing.F) {
	for _, s := range []string{strings.Repeat("ab", 32), strings.Repeat("AB", 32), strings.Repeat("0f", 31) + "Fg", strings.Repeat("a", 63), "", strings.Repeat("00", 33)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, ok := parseHash(s)
		b, err := hex.DecodeString(s)
		want := err == nil && len(b) == len(h)
		if ok != want || ok && !bytes.Equal(h[:], b) {
			t.Fatalf("%q: %x %v, encoding/hex %x %v", s, h, ok, b, err)
		}
	})
}
