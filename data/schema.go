package data

import (
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/google/uuid"
)

// The stored forms of the domain types. Each carries its schema version in
// "v" so that a later Keyward can migrate it.

type accountRecord struct {
	V          int       `json:"v"`
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	APIEnabled bool      `json:"apiEnabled"`
	// SealedKey is the account key encrypted with the data directory's seal
	// key (see seal.go); empty until the API is first enabled.
	SealedKey []byte `json:"sealedKey,omitempty"`
}

func (r *accountRecord) version() int { return r.V }

func (r *accountRecord) account() Account {
	return Account{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, APIEnabled: r.APIEnabled}
}

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
	var h KeyHash
	b, err := hex.DecodeString(r.SHA256)
	if err != nil || len(b) != len(h) {
		return h, Errorf(EInternal, "The stored hash of key %s is damaged.", r.Name)
	}
	copy(h[:], b)
	return h, nil
}

type lastUsedRecord struct {
	V           int       `json:"v"`
	At          time.Time `json:"at,omitzero"`
	From        string    `json:"from,omitempty"`
	RefusedAt   time.Time `json:"refusedAt,omitzero"`
	RefusedFrom string    `json:"refusedFrom,omitempty"`
}

func (r *lastUsedRecord) version() int { return r.V }

// The log records are the entries themselves, whose JSON names are Redis
// Cloud's, plus the schema version.

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
