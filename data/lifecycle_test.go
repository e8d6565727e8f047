package data

import (
	"github.com/google/uuid"
	"reflect"
	"strings"
	"testing"
	"time"
)

// authErr authenticates secret from loopback and returns the error.
func (f *fixture) authErr(secret string) error {
	_, err := f.s.Authenticate(f.accountKey, secret, loopback)
	return err
}

// lastLog returns the newest system-log entry.
func (f *fixture) lastLog(tb testing.TB) SystemLogEntry {
	tb.Helper()
	entries, err := f.s.SystemLog(LogQuery{Limit: 1})
	must(tb, err)
	return entries[0]
}

// assertRefused checks that a change failed with code, with a message
// holding want, and left the store as it was.
func assertRefused(t *testing.T, f *fixture, before snapshot, err error, code string, want string) {
	t.Helper()
	if ErrorCode(err) != code || !strings.Contains(ErrorMessage(err), want) {
		t.Fatalf("got %v (%s), want %s saying %q", err, ErrorCode(err), code, want)
	}
	if after := takeSnapshot(t, f.s); !reflect.DeepEqual(after, before) {
		t.Fatalf("a refused change changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestDisableEnable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "disable-me-01", f.viewer)
		f.clock.Advance(time.Minute)
		got, err := f.s.DisableUserKey(CommandLine, k.ID)
		must(t, err)
		if got.Status != KeyDisabled || got.DisabledBy != CommandLine.Name || !got.DisabledAt.Equal(f.clock.Now()) {
			t.Fatalf("disabled key = %+v", got)
		}
		if err := f.authErr(secret); err != ErrDisabledUserKey {
			t.Fatalf("a disabled key authenticates: %v", err)
		}
		if e := f.lastLog(t); e.Type != EventKeyDisabled || e.Description != "Disabled API user key disable-me-01 of Vic Viewer (vic@example.com)" {
			t.Fatalf("log: %+v", e)
		}
		before := takeSnapshot(t, f.s)
		_, err = f.s.DisableUserKey(CommandLine, k.ID)
		assertRefused(t, f, before, err, EConflict, "is already disabled (by ")
		_, err = f.s.EnableUserKey(ActorFor(f.viewer), k.ID)
		assertRefused(t, f, before, err, EForbidden, "Only an Owner")

		// Reopened, it is still disabled.
		f.s.Close()
		s, err := st.open(Options{Now: f.clock.Now, FlushInterval: time.Hour})
		must(t, err)
		t.Cleanup(func() { s.Close() })
		f.s = s
		if k2, _ := s.UserKey(k.ID); k2.Status != KeyDisabled {
			t.Fatalf("reopened: %s", k2.Status)
		}
		got, err = f.s.EnableUserKey(CommandLine, k.ID)
		must(t, err)
		if got.Status != KeyActive || !got.DisabledAt.IsZero() || got.DisabledBy != "" || got.Name != k.Name || got.CreatedAt != k.CreatedAt {
			t.Fatalf("enabled key = %+v", got)
		}
		if err := f.authErr(secret); err != nil {
			t.Fatalf("an enabled key: %v", err)
		}
		if e := f.lastLog(t); e.Type != EventKeyEnabled {
			t.Fatalf("log: %+v", e)
		}
		before = takeSnapshot(t, f.s)
		_, err = f.s.EnableUserKey(CommandLine, k.ID)
		assertRefused(t, f, before, err, EConflict, "is not disabled")
	})
}

func TestExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		now := f.clock.Now()
		before := takeSnapshot(t, f.s)
		_, _, err := f.s.CreateUserKeyWith(CommandLine, NewKey{Name: "past-expiry-1", UserID: f.owner.ID, ExpiresAt: now})
		assertRefused(t, f, before, err, EInvalid, "is not in the future")

		k, secret, err := f.s.CreateUserKeyWith(CommandLine, NewKey{Name: "expiring-key-1", UserID: f.owner.ID, ExpiresAt: now.Add(time.Hour)})
		must(t, err)
		if !k.ExpiresAt.Equal(now.Add(time.Hour)) || k.Status != KeyActive {
			t.Fatalf("created %+v", k)
		}
		if e := f.lastLog(t); !strings.HasSuffix(e.Description, "; it expires "+FormatTime(now.Add(time.Hour))) {
			t.Fatalf("log: %q", e.Description)
		}
		f.clock.Advance(time.Hour - time.Nanosecond)
		if err := f.authErr(secret); err != nil {
			t.Fatalf("a tick before its expiry: %v", err)
		}
		f.clock.Advance(time.Nanosecond)
		if err := f.authErr(secret); err != ErrExpiredUserKey {
			t.Fatalf("at its expiry: %v", err)
		}
		if k, _ := f.s.UserKey(k.ID); k.Status != KeyExpired {
			t.Fatalf("status %s", k.Status)
		}
		before = takeSnapshot(t, f.s)
		_, err = f.s.SetKeyExpiry(CommandLine, k.ID, f.clock.Now().Add(-time.Second))
		assertRefused(t, f, before, err, EInvalid, "is not in the future")
		_, err = f.s.SetKeyExpiry(ActorFor(f.viewer), k.ID, time.Time{})
		assertRefused(t, f, before, err, EForbidden, "Only an Owner")

		got, err := f.s.SetKeyExpiry(CommandLine, k.ID, time.Time{})
		must(t, err)
		if got.Status != KeyActive || !got.ExpiresAt.IsZero() {
			t.Fatalf("never expiring: %+v", got)
		}
		if err := f.authErr(secret); err != nil {
			t.Fatalf("extended: %v", err)
		}
		if e := f.lastLog(t); e.Type != EventKeyExpiryChanged || !strings.HasSuffix(e.Description, "it never expires") {
			t.Fatalf("log: %+v", e)
		}
		// A key with neither expiry nor anything else is stored as before.
		f.s.mu.RLock()
		rec := f.s.ix.keys[k.ID].record()
		f.s.mu.RUnlock()
		if rec.V != recordVersion || rec.ExpiresAt != nil {
			t.Fatalf("a key back to no lifecycle is stored as %+v", rec)
		}
	})
}

func TestRoll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, old := f.createKey(t, "rolled-key-01", f.owner)
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "127.0.0.0/8")
		must(t, err)
		for grace, says := range map[time.Duration]string{-time.Second: "a negative one is not", MaxGrace + 24*time.Hour: "31 days is not"} {
			before := takeSnapshot(t, f.s)
			_, _, err := f.s.RollUserKey(CommandLine, k.ID, grace)
			assertRefused(t, f, before, err, EInvalid, "A grace period must be between none and 30 days; "+says)
		}
		got, next, err := f.s.RollUserKey(CommandLine, k.ID, 24*time.Hour)
		must(t, err)
		if next == old || CheckUserKeyFormat(next) != nil || got.ID != k.ID || got.Name != k.Name || len(got.AllowList) != 1 || got.Hint != KeyHint(next) {
			t.Fatalf("rolled: %+v", got)
		}
		end := f.clock.Now().Add(24 * time.Hour)
		if !got.GraceUntil.Equal(end) {
			t.Fatalf("grace until %v, want %v", got.GraceUntil, end)
		}
		if e := f.lastLog(t); e.Type != EventKeyRolled || !strings.Contains(e.Description, "its previous value works until "+FormatTime(end)+" (a grace period of 1 day)") ||
			strings.Contains(e.Description, next) || strings.Contains(e.Description, old) {
			t.Fatalf("log: %+v", e)
		}
		for _, secret := range []string{old, next} {
			if p, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil || p.KeyID != k.ID {
				t.Fatalf("during the grace period: %v", err)
			}
		}
		f.clock.Advance(24*time.Hour - time.Nanosecond)
		if err := f.authErr(old); err != nil {
			t.Fatalf("the old value a tick before the end: %v", err)
		}
		f.clock.Advance(time.Nanosecond)
		if err := f.authErr(old); err != ErrRolledUserKey {
			t.Fatalf("the old value at the end: %v", err)
		}
		if err := f.authErr(next); err != nil {
			t.Fatalf("the new value after the grace period: %v", err)
		}
		if k, _ := f.s.UserKey(k.ID); !k.GraceUntil.IsZero() {
			t.Fatalf("grace shown after it ended: %v", k.GraceUntil)
		}
		// The old value of a disabled key is disabled too.
		_, third, err := f.s.RollUserKey(CommandLine, k.ID, time.Hour)
		must(t, err)
		_, err = f.s.DisableUserKey(CommandLine, k.ID)
		must(t, err)
		if err := f.authErr(next); err != ErrDisabledUserKey {
			t.Fatalf("the previous value of a disabled key: %v", err)
		}
		_, err = f.s.EnableUserKey(CommandLine, k.ID)
		must(t, err)
		// Rolled without grace, the value before stops at once, and so
		// does one still in its grace period.
		_, fourth, err := f.s.RollUserKey(CommandLine, k.ID, 0)
		must(t, err)
		for _, secret := range []string{next, third} {
			if err := f.authErr(secret); err == nil {
				t.Fatal("a value replaced without grace still works")
			}
		}
		if err := f.authErr(fourth); err != nil {
			t.Fatal(err)
		}
		if e := f.lastLog(t); !strings.Contains(e.Description, "its previous value stopped working; the value before it, still in its grace period, stopped working") {
			t.Fatalf("log: %q", e.Description)
		}
	})
}

// TestStatusOrder: a disabled key reads disabled whatever else holds, an
// expired one expired before inactive.
func TestStatusOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, _, err := f.s.CreateUserKeyWith(CommandLine, NewKey{Name: "every-state-1", UserID: f.viewer.ID, ExpiresAt: f.clock.Now().Add(time.Minute)})
		must(t, err)
		member := RoleMember
		_, err = f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &member})
		must(t, err)
		status := func() KeyStatus { k, _ := f.s.UserKey(k.ID); return k.Status }
		if st := status(); st != KeyInactive {
			t.Fatalf("a Member's key: %s", st)
		}
		f.clock.Advance(time.Minute)
		if st := status(); st != KeyExpired {
			t.Fatalf("expired and inactive: %s", st)
		}
		_, err = f.s.DisableUserKey(CommandLine, k.ID)
		must(t, err)
		if st := status(); st != KeyDisabled {
			t.Fatalf("disabled, expired and inactive: %s", st)
		}
	})
}

func TestDescription(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "described-key", f.owner)
		for _, tt := range []struct{ in, want string }{
			{strings.Repeat("x", 201), "at most 200 characters"},
			{"line\nbreak", "without control characters"},
			{"the CI job " + secret, "is an API key"},
		} {
			before := takeSnapshot(t, f.s)
			_, err := f.s.SetKeyDescription(CommandLine, k.ID, tt.in)
			assertRefused(t, f, before, err, EInvalid, tt.want)
		}
		got, err := f.s.SetKeyDescription(CommandLine, k.ID, "  the nightly export job ")
		must(t, err)
		if got.Description != "the nightly export job" {
			t.Fatalf("description %q", got.Description)
		}
	})
}

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"never", time.Time{}, ""},
		{"NEVER", time.Time{}, ""},
		{"7d", now.Add(7 * 24 * time.Hour), ""},
		{"24h", now.Add(24 * time.Hour), ""},
		{"30m", now.Add(30 * time.Minute), ""},
		{"1m", now.Add(time.Minute), ""},
		{"2027-01-31", time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), ""},
		{"2027-01-31T12:00:00+01:00", time.Date(2027, 1, 31, 11, 0, 0, 0, time.UTC), ""},
		{"2026-11-30", time.Time{}, "is not in the future"},
		{"2026-12-01", time.Time{}, "is not in the future"},
		{"-1d", time.Time{}, "is not in the future"},
		{"0", time.Time{}, "is not in the future"},
		{"soon", time.Time{}, "is not an expiry"},
		{"31/01/2027", time.Time{}, "is not an expiry"},
		{"36500d", now.Add(36500 * 24 * time.Hour), ""},
		{"36501d", time.Time{}, `The expiry "36501d" is more than 36,500 days (100 years) away: give a shorter duration, a date`},
		{"99999999999999999999d", time.Time{}, "is more than 36,500 days"},
		{"876001h", time.Time{}, "is more than 36,500 days"},
		{"2126-11-01", time.Date(2126, 11, 1, 0, 0, 0, 0, time.UTC), ""},
		{"9999-12-31", time.Time{}, "The expiry 9999-12-31 00:00 UTC is more than 36,500 days (100 years) away: choose an earlier time, or never."},
		{"9999-12-31T23:00:00-01:00", time.Time{}, "is more than 36,500 days"},
	} {
		got, err := ParseExpiry(tt.in, now)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseExpiry(%q) = %v, %v; want an error saying %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"none", 0, true}, {"0", 0, true}, {"1h", time.Hour, true}, {"7d", 7 * 24 * time.Hour, true}, {"1.5d", 0, false}, {"x", 0, false},
		{"-36500d", -36500 * 24 * time.Hour, true}, {"-36501d", 0, false}, {"876000h", 36500 * 24 * time.Hour, true}, {"876001h", 0, false}} {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// TestVersionOneStoreOpens: a store written before the lifecycle (every
// record version 1) opens with its keys never expiring, enabled and not
// rolled; a record of a later version than this Keyward reads is refused.
func TestVersionOneRecords(t *testing.T) {
	var rec keyRecord
	must(t, decodeKeyRecord([]byte(`{"v":1,"id":"6f1c2a9e-3b7d-4e5f-8a9b-0c1d2e3f4a5b","name":"old-key-0001","userId":2,"sha256":"`+strings.Repeat("ab", 32)+`","hint":"kwu_…AbCd","createdAt":"2026-11-27T09:00:00Z","createdBy":"Ada Owner"}`), &rec))
	if life, err := lifeOf(&rec); err != nil || life != nil {
		t.Fatalf("a version 1 key has a lifecycle: %+v, %v", life, err)
	}
	var later keyRecord
	err := decodeKeyRecord([]byte(`{"v":3,"id":"6f1c2a9e-3b7d-4e5f-8a9b-0c1d2e3f4a5b"}`), &later)
	if err == nil || !strings.Contains(err.Error(), "newer version of Keyward") {
		t.Fatalf("a version 3 record: %v", err)
	}
}

func TestDeleteUserKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		a, sa := f.createKey(t, "bulk-delete-1", f.owner)
		b, sb := f.createKey(t, "bulk-delete-2", f.viewer)
		c, _ := f.createKey(t, "bulk-keeper-1", f.owner)
		gone, _ := f.createKey(t, "bulk-gone-001", f.owner)
		must(t, f.s.DeleteUserKey(CommandLine, gone.ID))
		before := takeSnapshot(t, f.s)
		err := f.s.DeleteUserKeys(CommandLine, []uuid.UUID{a.ID, gone.ID})
		assertRefused(t, f, before, err, ENotFound, "There is no API user key")
		must(t, f.s.DeleteUserKeys(CommandLine, []uuid.UUID{a.ID, b.ID, a.ID}))
		for _, secret := range []string{sa, sb} {
			if f.authErr(secret) != ErrUnknownUserKey {
				t.Fatal("a deleted key authenticates")
			}
		}
		if _, err := f.s.UserKey(c.ID); err != nil {
			t.Fatal("a key not chosen was deleted")
		}
		log, err := f.s.SystemLog(LogQuery{Limit: 2})
		must(t, err)
		if log[0].Type != EventKeyDeleted || log[1].Type != EventKeyDeleted || log[0].ID == log[1].ID {
			t.Fatalf("log %+v", log)
		}
	})
}
