package data

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"time"

	"github.com/google/uuid"
)

// The storage layout: every key the Store writes and every stored record.
// Key prefixes act as tables; values are JSON records that carry their
// schema version in "v", so that a later Keyward can migrate them. The
// layout is the same on every backend.

// recordVersion is the schema version written into every record but a
// key record with a lifecycle (lifecycleVersion). A record with a version
// above readVersion was written by a newer Keyward and is refused rather
// than misread.
const recordVersion = 1

// lifecycleVersion is the version of a key record that has an expiry, is
// disabled, has a previous value in its grace period or a description
// (the fields of version 2): a Keyward that reads only version 1 would
// take such a key for an active one, so it must refuse the record
// instead. Key records without any of them stay version 1, which every
// Keyward reads.
const lifecycleVersion = 2

// readVersion is the highest record version this Keyward reads.
const readVersion = lifecycleVersion

// Keys and key prefixes.
var (
	keyAccount     = []byte("a")         // → accountRecord
	keySettings    = []byte("settings")  // → settingsRecord
	keyRestoring   = []byte("restoring") // → restoringRecord, while a restore runs
	prefixUser     = []byte("u/")        // + 8-byte big-endian id → userRecord
	prefixKey      = []byte("k/")        // + 16-byte UUID → keyRecord
	prefixLastUsed = []byte("lu/")       // + 16-byte UUID → lastUsedRecord
	prefixSysLog   = []byte("sl/")       // + 8-byte big-endian id → logRecord
	prefixSession  = []byte("ss/")       // + 8-byte big-endian id → sessionRecord
	prefixTask     = []byte("t/")        // + 16-byte UUID → taskRecord, with a TTL
)

// Sequences, by the names the backends keep them under.
const (
	seqAccount = "seq/account"
	seqUser    = "seq/user"
	seqLog     = "seq/log" // shared by the system and session logs
)

func idKey(prefix []byte, id int64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], uint64(id))
	return k
}

func uuidKey(prefix []byte, id [16]byte) []byte {
	k := make([]byte, len(prefix)+16)
	copy(k, prefix)
	copy(k[len(prefix):], id[:])
	return k
}

// keyID reads the id back from an idKey; ok is false if key is not one.
func keyID(prefix, key []byte) (id int64, ok bool) {
	if len(key) != len(prefix)+8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(key[len(prefix):])), true
}

// keyUUID reads the id back from a uuidKey; ok is false if key is not one.
func keyUUID(prefix, key []byte) (id uuid.UUID, ok bool) {
	if len(key) != len(prefix)+16 {
		return id, false
	}
	copy(id[:], key[len(prefix):])
	return id, true
}

// versioned is a stored record: it knows its schema version.
type versioned interface{ version() int }

func decode(b []byte, v versioned) error {
	if err := json.Unmarshal(b, v); err != nil {
		return damagedRecord(err)
	}
	return checkVersion(v)
}

// damagedRecord is the error for a stored record that cannot be read,
// damaged in storage or written there by something else than Keyward.
func damagedRecord(cause error) error {
	return &Error{Code: EInternal, Err: errors.Join(ErrDamaged, cause), Message: "A stored record cannot be read (" + cause.Error() + "): " +
		"the account's data is damaged. Nothing was changed. Restore your latest backup into a new data directory or account with " +
		"'keyward restore BACKUP' (see \"Backup and restore\" in the README), and keep this one for recovery."}
}

// checkVersion refuses a record of a later schema than this Keyward's.
func checkVersion(v versioned) error {
	if v.version() > readVersion {
		return Errorf(EInternal, "The data was written by a newer version of Keyward (record version %d); upgrade Keyward to open it.", v.version())
	}
	return nil
}

type accountRecord struct {
	V          int       `json:"v"`
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	APIEnabled bool      `json:"apiEnabled"`
	// SealedKey is the account key encrypted with the seal key (see
	// seal.go); empty until the API is first enabled.
	SealedKey []byte `json:"sealedKey,omitempty"`
	// SealKeyID tells the seal key the account key was last sealed with
	// (sealKeyID), kept while the API is disabled: enabling it again with
	// another seal key, or where the file is missing, would lock out every
	// machine that has the account's. Empty in stores written before it,
	// and after a restore without the seal key.
	SealKeyID string `json:"sealKeyId,omitempty"`
}

func (r *accountRecord) version() int { return r.V }

func (r *accountRecord) account() Account {
	return Account{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, APIEnabled: r.APIEnabled}
}

// restoringRecord marks a store a restore is being written into. The
// restore commits it first and deletes it in the batch that writes the
// account record, last: while it is there the store holds part of a
// backup, has no account, refuses Init, and a restore may start over.
type restoringRecord struct {
	V       int       `json:"v"`
	Account string    `json:"account"` // the backup's account
	Created time.Time `json:"created"` // when the backup was taken
	Started time.Time `json:"started"` // when the restore began
}

func (r *restoringRecord) version() int { return r.V }

type settingsRecord struct {
	V              int      `json:"v"`
	APIAddr        string   `json:"apiAddr"`
	RateLimit      int      `json:"rateLimit"`
	TrustedProxies []string `json:"trustedProxies,omitempty"`
}

func (r *settingsRecord) version() int { return r.V }

type userRecord struct {
	V         int           `json:"v"`
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	Email     string        `json:"email"`
	Role      Role          `json:"role"`
	CreatedAt time.Time     `json:"createdAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
	Password  *PasswordHash `json:"password,omitempty"`
}

func (r *userRecord) version() int { return r.V }

type ruleRecord struct {
	ID        uuid.UUID `json:"id"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type keyRecord struct {
	V         int          `json:"v"`
	ID        uuid.UUID    `json:"id"`
	Name      string       `json:"name"`
	UserID    int64        `json:"userId"`
	SHA256    string       `json:"sha256"` // hex SHA-256 of the key's value
	Hint      string       `json:"hint"`
	CreatedAt time.Time    `json:"createdAt"`
	CreatedBy string       `json:"createdBy"`
	Rules     []ruleRecord `json:"rules,omitempty"`

	// Version 2 (lifecycleVersion): the key's lifecycle, each field
	// omitted when it has none.
	ExpiresAt   *time.Time      `json:"expiresAt,omitempty"`
	Disabled    *disabledRecord `json:"disabled,omitempty"`
	Previous    *previousRecord `json:"previous,omitempty"`
	Description string          `json:"description,omitempty"`
}

// disabledRecord says who disabled a key, and when.
type disabledRecord struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
}

// previousRecord is a rolled key's previous value, which authenticates
// until Until.
type previousRecord struct {
	SHA256 string    `json:"sha256"`
	Until  time.Time `json:"until"`
}

func (r *keyRecord) version() int { return r.V }

func (r *keyRecord) allowList() (AllowList, error) {
	l := make(AllowList, len(r.Rules))
	for i, rr := range r.Rules {
		p, err := netip.ParsePrefix(rr.Prefix)
		if err != nil {
			return nil, Errorf(EInternal, "The stored allow list of key %s is damaged: %v.", r.Name, err)
		}
		l[i] = CIDRRule{ID: rr.ID, Prefix: p, CreatedAt: rr.CreatedAt, UpdatedAt: rr.UpdatedAt}
	}
	return l, nil
}

func rulesRecord(l AllowList) []ruleRecord {
	if len(l) == 0 {
		return nil
	}
	out := make([]ruleRecord, len(l))
	for i, r := range l {
		out[i] = ruleRecord{ID: r.ID, Prefix: r.Prefix.String(), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out
}

func (r *keyRecord) hash() (KeyHash, error) {
	h, ok := parseHash(r.SHA256)
	if !ok {
		return h, Errorf(EInternal, "The stored hash of key %s is damaged.", r.Name)
	}
	return h, nil
}

// parseHash reads a stored hex SHA-256, in either case, with encoding/hex
// over a view of s: no allocation (hex.DecodeString's buffer was 5% of
// what opening a store allocated) and no switch a digit (a hand-written
// one was the largest part of entering 100,000 keys in the index).
func parseHash(s string) (KeyHash, bool) {
	var h KeyHash
	if len(s) != 2*len(h) {
		return h, false
	}
	if _, err := hex.Decode(h[:], stringBytes(s)); err != nil {
		return KeyHash{}, false
	}
	return h, true
}

type lastUsedRecord struct {
	V           int       `json:"v"`
	At          time.Time `json:"at,omitzero"`
	From        string    `json:"from,omitempty"`
	RefusedAt   time.Time `json:"refusedAt,omitzero"`
	RefusedFrom string    `json:"refusedFrom,omitempty"`
}

func (r *lastUsedRecord) version() int { return r.V }

// The log and task records are the entries themselves, whose JSON names
// are Redis Cloud's, plus the schema version.

type logRecord struct {
	V int `json:"v"`
	SystemLogEntry
}

func (r *logRecord) version() int { return r.V }

type sessionRecord struct {
	V int `json:"v"`
	SessionLogEntry
}

func (r *sessionRecord) version() int { return r.V }

type taskRecord struct {
	V int `json:"v"`
	Task
}

func (r *taskRecord) version() int { return r.V }
