package data

// KeyStatus is the state of an API user key, which decides whether it
// authenticates. Every key has exactly one, computed in one place (status)
// and shown as it is by the console and the command line.
type KeyStatus string

// The statuses of a key.
const (
	KeyActive   KeyStatus = "active"   // it authenticates
	KeyInactive KeyStatus = "inactive" // its user's role can no longer hold keys
)

// status computes the key's status from its record and its user's role.
func (k *keyEntry) status() KeyStatus {
	if k.user == nil || !k.user.rec.Role.CanOwnKeys() {
		return KeyInactive
	}
	return KeyActive
}

// authError is Authenticate's answer to a request made with a key of this
// status: nil for an active key.
func (st KeyStatus) authError() error {
	if st == KeyInactive {
		return ErrInactiveUserKey
	}
	return nil
}
