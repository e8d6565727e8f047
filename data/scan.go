package data

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Leak scanning (`keyward keys scan`): finding Keyward keys in text, and
// telling for each whether it is a key of this account and would still
// authenticate.

// FindKeys calls fn with every Keyward key in b and where it starts: the
// key format (a prefix, then KeyLen-4 base62 characters) whose checksum is
// right, whatever comes before or after it. Keys leak inside other text
// (after a JSON escape as in "\nkwu_…", in a URL as in "%3Dkwu_…", two
// pasted together), so the checksum alone decides: random text gives no
// false positives (one in 2^32 runs of the right shape).
func FindKeys(b []byte, fn func(offset int, key string)) {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("kw"))
		if j < 0 {
			return
		}
		start := i + j
		i = start + 2
		end := start + KeyLen
		if end > len(b) || b[start+3] != '_' || (b[start+2] != 'a' && b[start+2] != 'u') {
			continue
		}
		key := string(b[start:end])
		var err error
		if key[:keyPrefixLen] == UserKeyPrefix {
			err = CheckUserKeyFormat(key)
		} else {
			err = CheckAccountKeyFormat(key)
		}
		if err == nil {
			fn(start, key)
			i = end // a key holds no prefix: '_' is not base62
		}
	}
}

// FindKeysInText calls fn with every key in the contents of a file and
// the line it is on (from 1): in the bytes as they are, and in the text
// they hold as UTF-16 (what Windows PowerShell 5's ">" writes: each
// character two bytes, one of them zero for ASCII) when they hold some.
func FindKeysInText(b []byte, fn func(line int, key string)) {
	scan := func(t []byte) {
		line, last := 1, 0
		FindKeys(t, func(off int, key string) {
			line += bytes.Count(t[last:off], []byte("\n"))
			last = off
			fn(line, key)
		})
	}
	scan(b)
	if t := utf16Text(b); t != nil {
		scan(t)
	}
}

// utf16Text is the text of b read as UTF-16 from its first byte, each
// character outside ASCII as 0x80 (no key holds it); nil when b holds no
// "kw" written so. The byte order is the byte-order mark's or, without
// one, where the first such 'k' is: at an even offset, little-endian (as
// Windows writes it), at an odd one, big-endian.
func utf16Text(b []byte) []byte {
	at := bytes.Index(b, []byte("k\x00w\x00"))
	if be := bytes.Index(b, []byte("\x00k\x00w")); be >= 0 && (at < 0 || be+1 < at) {
		at = be + 1
	}
	if at < 0 {
		return nil
	}
	bigEndian := at%2 == 1
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		bigEndian = false
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		bigEndian = true
	}
	t := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c, z := b[i], b[i+1]
		if bigEndian {
			c, z = z, c
		}
		if z != 0 || c >= 0x80 {
			c = 0x80
		}
		t = append(t, c)
	}
	return t
}

// KeyFinding is what a found key is to this account.
type KeyFinding struct {
	Hint    string // the key's hint: the value is never repeated
	Account bool   // an account key, rather than a user key
	// Known is true for this account's account key, and for a user key
	// of this account (its value, or a rolled key's previous value).
	Known    bool
	KeyID    uuid.UUID // a user key's id
	KeyName  string
	UserName string
	Status   KeyStatus // a user key's status
	// Previous is true for a rolled key's previous value; GraceUntil is
	// when it stops, or stopped, working.
	Previous   bool
	GraceUntil time.Time
	// Live is true when the key would authenticate now (whatever the
	// client's address): the account key while the API is enabled; an
	// active user key; a rolled key's previous value inside its grace
	// period, the key active.
	Live bool
}

// Describe says what the finding is, for people.
func (f KeyFinding) Describe() string {
	switch {
	case f.Account && f.Known && f.Live:
		return "the account key of this account: live; revoke it by disabling and enabling the API"
	case f.Account && f.Known:
		return "the account key of this account, while its API is disabled"
	case f.Account:
		return "an account key, not this account's"
	case !f.Known:
		return "a user key that is not one of this account's (perhaps deleted)"
	}
	what := fmt.Sprintf("the API user key %s of %s", f.KeyName, f.UserName)
	if f.Previous {
		what = fmt.Sprintf("the previous value of the API user key %s of %s", f.KeyName, f.UserName)
	}
	switch {
	case f.Live && f.Previous:
		return what + ": live until " + FormatTime(f.GraceUntil) + "; roll the key again without grace to revoke it"
	case f.Live:
		return what + ": live; disable it, roll it or delete it"
	case f.Previous && f.Status == KeyActive:
		return what + ": its grace period ended " + FormatTime(f.GraceUntil) + ", not live"
	}
	return what + ": " + string(f.Status) + ", not live"
}

// IdentifyKey tells what key, a value found in a file, is to this account.
func (s *Store) IdentifyKey(key string) KeyFinding {
	f := KeyFinding{Hint: KeyHint(key)}
	now := s.opts.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if CheckAccountKeyFormat(key) == nil {
		f.Account = true
		f.Known = s.ix.accountKey != "" && len(key) == len(s.ix.accountKey) &&
			subtle.ConstantTimeCompare([]byte(key), []byte(s.ix.accountKey)) == 1
		f.Live = f.Known && s.ix.account != nil && s.ix.account.APIEnabled
		return f
	}
	hash := HashKey(key)
	k := s.ix.hashes.get(hash)
	if k == nil {
		if k = s.ix.previousValue(hash); k == nil {
			return f
		}
		f.Previous, f.GraceUntil = true, k.life.prevUntil
	}
	f.Known, f.KeyID, f.KeyName, f.Status = true, k.id, k.name(), k.status(now)
	if k.user != nil {
		f.UserName = k.user.rec.Name
	}
	f.Live = f.Status == KeyActive && (!f.Previous || now.Before(f.GraceUntil))
	return f
}

// DisableUserKeys disables several keys in one transaction, with a log
// entry for each that says why (reason, such as "found in a file by keys
// scan"). Keys already disabled are left as they are. It returns the keys
// it disabled.
func (s *Store) DisableUserKeys(actor Actor, ids []uuid.UUID, reason string) ([]UserKey, error) {
	if len(ids) > MaxBulkKeys {
		return nil, Errorf(EInvalid, "At most %d keys can be disabled at once; %d were chosen.", MaxBulkKeys, len(ids))
	}
	var out []UserKey
	err := s.change(actor, func(t *tx) error {
		out = out[:0]
		keys, err := s.ix.keysOnce(ids)
		if err != nil {
			return err
		}
		for _, k := range keys {
			id, l := k.id, k.lifeCopy()
			if l.disabled {
				continue
			}
			l.disabled, l.disabledAt, l.disabledBy = true, t.now, t.actor.Name
			rec, changed := k.changed(t.now, k.hash, k.hint(), &l)
			if err := t.put(uuidKey(prefixKey, id), rec); err != nil {
				return err
			}
			desc := "Disabled " + keyOf(k)
			if reason != "" {
				desc += " (" + reason + ")"
			}
			if err := t.log(ResourceKey, k.userID, EventKeyDisabled, desc); err != nil {
				return err
			}
			out = append(out, changed)
		}
		return nil
	})
	return out, err
}
