package data

import "time"

// KeyStatus is the state of an API user key, which decides whether it
// authenticates. Every key has exactly one, computed in one place
// (keyEntry.status) from its record, its user's role and the store's
// clock, and shown as it is by the console, the command line and the API.
type KeyStatus string

// The statuses of a key.
const (
	KeyActive   KeyStatus = "active"   // it authenticates
	KeyDisabled KeyStatus = "disabled" // an Owner disabled it; enabling restores it unchanged
	KeyExpired  KeyStatus = "expired"  // its expiry time has passed
	KeyInactive KeyStatus = "inactive" // its user's role can no longer hold keys
)

// KeyStatuses are the statuses, in the order they are listed.
var KeyStatuses = []KeyStatus{KeyActive, KeyDisabled, KeyExpired, KeyInactive}

// ParseKeyStatus reads a status as typed, in any case.
func ParseKeyStatus(s string) (KeyStatus, error) {
	for _, st := range KeyStatuses {
		if equalFoldASCII(s, string(st)) {
			return st, nil
		}
	}
	return "", Errorf(EInvalid, "%s is not a key status: use active, disabled, expired or inactive.", Quote(s))
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// status computes the key's status at now. A disabled key is disabled
// whatever else holds, then an expired key expired: the status says first
// what an Owner did, then what the clock did, then what the role does.
func (k *keyEntry) status(now time.Time) KeyStatus {
	if l := k.life; l != nil {
		if l.disabled {
			return KeyDisabled
		}
		if !l.expiresAt.IsZero() && !now.Before(l.expiresAt) {
			return KeyExpired
		}
	}
	if k.user == nil || !k.user.rec.Role.CanOwnKeys() {
		return KeyInactive
	}
	return KeyActive
}

// authError is Authenticate's answer to a request made with a key of this
// status: nil for an active key.
func (st KeyStatus) authError() error {
	switch st {
	case KeyDisabled:
		return ErrDisabledUserKey
	case KeyExpired:
		return ErrExpiredUserKey
	case KeyInactive:
		return ErrInactiveUserKey
	}
	return nil
}
