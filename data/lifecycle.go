package data

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The lifecycle of API user keys (SPEC §1 "Key status and lifecycle"):
// expiry, disable and enable, roll with a grace period, and the
// description. Each change is one transaction with its system-log entry,
// made by an Owner only.

// The bounds of the lifecycle's inputs.
const (
	// MaxGrace is the longest grace period a roll may give the previous
	// value: a rolled key's old value is meant to be replaced soon.
	MaxGrace = 30 * 24 * time.Hour
	// MaxDescriptionLen bounds a key's description, in characters.
	MaxDescriptionLen = 200
)

// The grace periods the console offers for a roll.
var GraceChoices = []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// NewKey is what a new API user key is made of, for CreateUserKeyWith.
type NewKey struct {
	Name   string
	UserID int64
	// ExpiresAt is when the key stops working; zero means never. It must
	// be later than now.
	ExpiresAt   time.Time
	Description string
}

// ValidateDescription checks a key's description: up to
// MaxDescriptionLen characters of printable text, and never a key.
func ValidateDescription(d string) error {
	if n := len([]rune(d)); n > MaxDescriptionLen {
		return Errorf(EInvalid, "Invalid description: use at most %d characters (this one has %d).", MaxDescriptionLen, n)
	}
	for _, r := range d {
		if r < 0x20 || r == 0x7f {
			return Errorf(EInvalid, "Invalid description: use one line of text, without control characters.")
		}
	}
	if IsKey(d) {
		return errPastedKey("description")
	}
	return nil
}

// checkExpiry refuses an expiry that is not in the future, or is more
// than MaxDurationDays away.
func checkExpiry(at, now time.Time) error {
	switch {
	case at.IsZero():
	case !at.After(now):
		return Errorf(EInvalid, "The expiry %s is not in the future: choose a later time, or never.", FormatTime(at))
	case at.After(now.AddDate(0, 0, MaxDurationDays)):
		return Errorf(EInvalid, "The expiry %s is more than 36,500 days (100 years) away: choose an earlier time, or never.", FormatTime(at))
	}
	return nil
}

// RollWarnings are what rolling k now would do that a roll does not say
// by itself: a value still in the grace period of an earlier roll stops
// working at once (a key keeps one previous value), and a key that does
// not authenticate (disabled, expired, inactive) still does not with its
// new value. Nil when there is nothing to warn of.
func (k UserKey) RollWarnings(now time.Time) []string {
	var w []string
	if now.Before(k.GraceUntil) {
		w = append(w, fmt.Sprintf("The value before the current one, which an earlier roll left working until %s, stops working at once: a key keeps only one previous value.", FormatTime(k.GraceUntil)))
	}
	switch k.Status {
	case KeyDisabled:
		w = append(w, "The key is disabled: its new value works only once an Owner enables it.")
	case KeyExpired:
		w = append(w, "The key has expired: its new value works only once its expiry is changed.")
	case KeyInactive:
		w = append(w, fmt.Sprintf("The key is inactive: the role of %s cannot use API keys, and its new value works only once it can.", k.UserName))
	}
	return w
}

// FormatTime is how the lifecycle's times are written in messages and
// logs: UTC, to the minute.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// ParseExpiry reads an expiry as the command line takes it: "never"; a
// duration from now ("7d", "24h", "30m", or Go's "1h30m"); a date
// ("2027-01-31", the start of that day in UTC); or an RFC 3339 time. It
// returns the zero time for never. Times not after now are refused.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "never") {
		return time.Time{}, nil
	}
	var at time.Time
	d, err := ParseDuration(s)
	if errors.Is(err, errTooLong) {
		return time.Time{}, Errorf(EInvalid, "The expiry %s is more than 36,500 days (100 years) away: give a shorter duration, a date such as 2027-01-31, or never.", Quote(s))
	}
	if err == nil {
		if d <= 0 {
			return time.Time{}, Errorf(EInvalid, "The expiry %s is not in the future: give a positive duration such as 30d, a date such as 2027-01-31, or never.", Quote(s))
		}
		at = now.Add(d)
	} else if t, err := time.Parse(time.DateOnly, s); err == nil {
		at = t
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else {
		return time.Time{}, Errorf(EInvalid, "%s is not an expiry: write never, a duration such as 7d, 24h or 30m, a date such as 2027-01-31, or a time such as 2027-01-31T12:00:00Z.", Quote(s))
	}
	at = at.UTC().Round(0)
	if err := checkExpiry(at, now); err != nil {
		return time.Time{}, err
	}
	return at, nil
}

// ParseDuration reads a duration as the command line takes it: Go's
// forms ("24h", "30m", "1h30m") and whole days ("7d"), of at most
// MaxDurationDays either way. "none" and "0" are zero.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return 0, nil
	}
	const most = MaxDurationDays * 24 * time.Hour
	tooLong := func() error {
		return &Error{Code: EInvalid, Err: errTooLong, Message: Quote(s) + " is longer than 36,500 days (100 years): give a shorter duration."}
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange), err == nil && (n > MaxDurationDays || n < -MaxDurationDays):
			return 0, tooLong()
		case err != nil:
			return 0, Errorf(EInvalid, "%s is not a duration: write a whole number of days such as 7d, or hours and minutes such as 24h or 30m.", Quote(s))
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, Errorf(EInvalid, "%s is not a duration: write days such as 7d, or hours and minutes such as 24h or 30m.", Quote(s))
	case d > most || d < -most:
		return 0, tooLong()
	}
	return d, nil
}

// MaxDurationDays bounds a duration the command line takes: 100 years.
const MaxDurationDays = 36500

var errTooLong = errors.New("duration too long")

// FormatDuration writes a grace period or an expiry delay for people:
// "none", "7 days", "24 hours", "90 minutes".
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "none"
	case d%(24*time.Hour) == 0:
		return Count(int(d/(24*time.Hour)), "day", "days")
	case d%time.Hour == 0:
		return Count(int(d/time.Hour), "hour", "hours")
	case d%time.Minute == 0:
		return Count(int(d/time.Minute), "minute", "minutes")
	}
	return d.String()
}

// CreateUserKeyWith creates an API user key as CreateUserKey does, with an
// expiry and a description.
func (s *Store) CreateUserKeyWith(actor Actor, nk NewKey) (UserKey, string, error) {
	if err := ValidateDescription(nk.Description); err != nil {
		return UserKey{}, "", err
	}
	return s.createUserKey(actor, nk)
}

// lifeChange edits the lifecycle of the key with id keyID, in one
// transaction with its log entry: edit returns the new lifecycle (nil for
// none) and the entry's type and description.
func (s *Store) lifeChange(actor Actor, keyID uuid.UUID,
	edit func(t *tx, k *keyEntry, l keyLife) (*keyLife, string, string, error)) (UserKey, error) {
	var out UserKey
	err := s.change(actor, func(t *tx) error {
		k, err := s.ix.key(keyID)
		if err != nil {
			return err
		}
		next, event, desc, err := edit(t, k, k.lifeCopy())
		if err != nil {
			return err
		}
		rec, changed := k.changed(t.now, k.hash, k.hint(), next.normal())
		if err := t.put(uuidKey(prefixKey, keyID), rec); err != nil {
			return err
		}
		out = changed
		return t.log(ResourceKey, k.userID, event, desc)
	})
	return out, err
}

// changed returns the record of k with another value (its hash and hint)
// and lifecycle, and the key as it will read once the change is applied:
// the entry in the index changes only then.
func (k *keyEntry) changed(now time.Time, hash KeyHash, hint string, life *keyLife) (keyRecord, UserKey) {
	next := &keyEntry{id: k.id, hash: hash, createdBy: k.createdBy, userID: k.userID,
		user: k.user, allow: k.allow, life: life, created: k.created, whole: k.whole}
	next.setText(hint, k.name())
	rec := next.record()
	rec.Rules = rulesRecord(k.allowList())
	out, before := next.userKey(now), k.userKey(now)
	out.LastUsedAt, out.LastUsedFrom, out.LastRefusedAt, out.LastRefusedFrom = before.LastUsedAt, before.LastUsedFrom, before.LastRefusedAt, before.LastRefusedFrom
	return rec, out
}

// lifeCopy returns a copy of the key's lifecycle, the zero one if it has
// none, for a change to edit.
func (k *keyEntry) lifeCopy() keyLife {
	if k.life == nil {
		return keyLife{}
	}
	return *k.life
}

// keysOnce returns the keys with the given ids, each once, in the order
// of ids, or the error of the first that is not there.
func (ix *index) keysOnce(ids []uuid.UUID) ([]*keyEntry, error) {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]*keyEntry, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		k, err := ix.key(id)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// normal returns l, or nil when it holds nothing.
func (l *keyLife) normal() *keyLife {
	if l == nil || (*l == keyLife{}) {
		return nil
	}
	return l
}

// keyOf names a key and its user in a log entry.
func keyOf(k *keyEntry) string {
	s := "API user key " + k.name()
	if k.user != nil {
		s += fmt.Sprintf(" of %s (%s)", k.user.rec.Name, k.user.rec.Email)
	}
	return s
}

// SetKeyExpiry sets when a key expires; the zero time means never. A time
// not in the future is refused: to stop a key now, disable or delete it.
func (s *Store) SetKeyExpiry(actor Actor, keyID uuid.UUID, at time.Time) (UserKey, error) {
	at = at.UTC().Round(0)
	return s.lifeChange(actor, keyID, func(t *tx, k *keyEntry, l keyLife) (*keyLife, string, string, error) {
		if err := checkExpiry(at, t.now); err != nil {
			return nil, "", "", err
		}
		if l.expiresAt.Equal(at) {
			return nil, "", "", Errorf(EConflict, "The API user key %s already %s.", k.name(), expiryText(at))
		}
		l.expiresAt = at
		return &l, EventKeyExpiryChanged, fmt.Sprintf("Changed the expiry of %s: it %s", keyOf(k), expiryText(at)), nil
	})
}

func expiryText(at time.Time) string {
	if at.IsZero() {
		return "never expires"
	}
	return "expires " + FormatTime(at)
}

// DisableUserKey disables a key: it is refused from the moment the change
// is saved, and keeps its name, allow list and history for EnableUserKey.
func (s *Store) DisableUserKey(actor Actor, keyID uuid.UUID) (UserKey, error) {
	return s.lifeChange(actor, keyID, func(t *tx, k *keyEntry, l keyLife) (*keyLife, string, string, error) {
		if l.disabled {
			return nil, "", "", Errorf(EConflict, "The API user key %s is already disabled (by %s, %s).", k.name(), l.disabledBy, FormatTime(l.disabledAt))
		}
		l.disabled, l.disabledAt, l.disabledBy = true, t.now, t.actor.Name
		return &l, EventKeyDisabled, "Disabled " + keyOf(k), nil
	})
}

// EnableUserKey enables a disabled key, as it was.
func (s *Store) EnableUserKey(actor Actor, keyID uuid.UUID) (UserKey, error) {
	return s.lifeChange(actor, keyID, func(t *tx, k *keyEntry, l keyLife) (*keyLife, string, string, error) {
		if !l.disabled {
			return nil, "", "", Errorf(EConflict, "The API user key %s is not disabled.", k.name())
		}
		l.disabled, l.disabledAt, l.disabledBy = false, time.Time{}, ""
		desc := "Enabled " + keyOf(k)
		if st := changedStatus(k, l, t.now); st != KeyActive {
			desc += fmt.Sprintf("; it is %s", st)
		}
		return &l, EventKeyEnabled, desc, nil
	})
}

// changedStatus is the status k would have with the lifecycle l.
func changedStatus(k *keyEntry, l keyLife, now time.Time) KeyStatus {
	_, out := k.changed(now, k.hash, k.hint(), (&l).normal())
	return out.Status
}

// SetKeyDescription sets what a key is for; "" removes it.
func (s *Store) SetKeyDescription(actor Actor, keyID uuid.UUID, description string) (UserKey, error) {
	description = strings.TrimSpace(description)
	if err := ValidateDescription(description); err != nil {
		return UserKey{}, err
	}
	return s.lifeChange(actor, keyID, func(t *tx, k *keyEntry, l keyLife) (*keyLife, string, string, error) {
		if l.description == description {
			return nil, "", "", Errorf(EConflict, "The API user key %s already has that description.", k.name())
		}
		l.description = description
		return &l, EventKeyDescribed, "Changed the description of " + keyOf(k), nil
	})
}

// RollUserKey gives a key a new value and returns it, this once, as
// CreateUserKey does: the id, name, user, allow list, expiry and history
// stay. The previous value keeps working for grace (0 for none, at most
// MaxGrace), then is refused. A previous value still in its grace period
// from an earlier roll stops working at once.
func (s *Store) RollUserKey(actor Actor, keyID uuid.UUID, grace time.Duration) (UserKey, string, error) {
	if grace < 0 || grace > MaxGrace {
		given := FormatDuration(grace)
		if grace < 0 {
			given = "a negative one"
		}
		return UserKey{}, "", Errorf(EInvalid, "A grace period must be between none and %s; %s is not.", FormatDuration(MaxGrace), given)
	}
	secret, err := NewUserKey()
	if err != nil {
		return UserKey{}, "", err
	}
	hash := HashKey(secret)
	var out UserKey
	err = s.change(actor, func(t *tx) error {
		k, err := s.ix.key(keyID)
		if err != nil {
			return err
		}
		l := k.lifeCopy()
		desc := "Rolled " + keyOf(k) + ": "
		if grace > 0 {
			l.prevHash, l.prevUntil = k.hash, t.now.Add(grace)
			desc += fmt.Sprintf("its previous value works until %s (a grace period of %s)", FormatTime(l.prevUntil), FormatDuration(grace))
		} else {
			l.prevHash, l.prevUntil = KeyHash{}, time.Time{}
			desc += "its previous value stopped working"
		}
		if k.life != nil && t.now.Before(k.life.prevUntil) {
			desc += "; the value before it, still in its grace period, stopped working"
		}
		rec, changed := k.changed(t.now, hash, KeyHint(secret), l.normal())
		if err := t.put(uuidKey(prefixKey, keyID), rec); err != nil {
			return err
		}
		out = changed
		return t.log(ResourceKey, k.userID, EventKeyRolled, desc)
	})
	if err != nil {
		return UserKey{}, "", err
	}
	return out, secret, nil
}
