package data

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// index is the in-memory copy of the account, users and keys. Changes
// update it in step with each commit (under Store.mu), so reads and
// authentication never touch the disk.
type index struct {
	account       *accountRecord // nil until Init
	accountKey    string         // the plaintext account key; "" if there is none
	accountKeyErr error          // why a stored account key could not be unsealed

	users  map[int64]*userEntry
	emails map[string]*userEntry // by emailKey
	keys   map[uuid.UUID]*keyEntry
	names  map[string]*keyEntry // by keyNameKey
	hashes map[KeyHash]*keyEntry
	// sorted holds the keys in the order UserKeys lists them, by
	// keyNameKey, so that listing 10,000 keys needs no sort.
	sorted []*keyEntry

	settings Settings
}

type userEntry struct {
	rec  userRecord
	keys map[uuid.UUID]*keyEntry
}

type keyEntry struct {
	rec     keyRecord // Rules is kept only in allow
	nameKey string    // keyNameKey(rec.Name)
	hash    KeyHash
	allow   AllowList // replaced, never modified in place
	user    *userEntry

	// usage is written by authentication under a read lock of Store.mu,
	// hence its own mutex.
	usage        sync.Mutex
	lastUsedAt   time.Time
	lastUsedFrom netip.Addr
	refusedAt    time.Time // the latest request its allow list refused
	refusedFrom  netip.Addr
	dirty        bool // not yet written to disk
}

// recordUse notes a request authenticated with this key; allowed tells
// whether its allow list let it through.
func (k *keyEntry) recordUse(now time.Time, from netip.Addr, allowed bool) {
	from = from.Unmap().WithZone("")
	k.usage.Lock()
	if allowed {
		k.lastUsedAt, k.lastUsedFrom = now, from
	} else {
		k.refusedAt, k.refusedFrom = now, from
	}
	k.dirty = true
	k.usage.Unlock()
}

func (ix *index) reset() {
	*ix = index{
		users:  map[int64]*userEntry{},
		emails: map[string]*userEntry{},
		keys:   map[uuid.UUID]*keyEntry{},
		names:  map[string]*keyEntry{},
		hashes: map[KeyHash]*keyEntry{},
	}
}

func (ix *index) putUser(rec userRecord) {
	if old := ix.users[rec.ID]; old != nil {
		delete(ix.emails, emailKey(old.rec.Email))
		old.rec = rec
		ix.emails[emailKey(rec.Email)] = old
		return
	}
	u := &userEntry{rec: rec, keys: map[uuid.UUID]*keyEntry{}}
	ix.users[rec.ID] = u
	ix.emails[emailKey(rec.Email)] = u
}

func (ix *index) removeUser(id int64) {
	u := ix.users[id]
	if u == nil {
		return
	}
	for kid := range u.keys {
		ix.removeKey(kid)
	}
	delete(ix.emails, emailKey(u.rec.Email))
	delete(ix.users, id)
}

func (ix *index) putKey(k *keyEntry) {
	k.user = ix.users[k.rec.UserID]
	k.nameKey = keyNameKey(k.rec.Name)
	if old := ix.keys[k.rec.ID]; old != nil {
		ix.removeKey(old.rec.ID)
	}
	i, _ := slices.BinarySearchFunc(ix.sorted, k.nameKey, byNameKey)
	ix.sorted = slices.Insert(ix.sorted, i, k)
	ix.keys[k.rec.ID] = k
	ix.names[k.nameKey] = k
	ix.hashes[k.hash] = k
	if k.user != nil {
		k.user.keys[k.rec.ID] = k
	}
}

func (ix *index) removeKey(id uuid.UUID) {
	k := ix.keys[id]
	if k == nil {
		return
	}
	delete(ix.keys, id)
	delete(ix.names, k.nameKey)
	delete(ix.hashes, k.hash)
	if i, found := slices.BinarySearchFunc(ix.sorted, k.nameKey, byNameKey); found {
		ix.sorted = slices.Delete(ix.sorted, i, i+1)
	}
	if k.user != nil {
		delete(k.user.keys, id)
	}
}

// byNameKey orders the sorted keys.
func byNameKey(e *keyEntry, nameKey string) int { return strings.Compare(e.nameKey, nameKey) }

// loadIndex reads the account, users, keys and last-used times into the
// index, and unseals the account key.
func (s *Store) loadIndex() error {
	ix := &s.ix
	ix.reset()
	if err := s.loadSettings(); err != nil {
		return err
	}
	var acct accountRecord
	found, err := s.read(keyAccount, &acct)
	if err != nil {
		return err
	}
	if found {
		ix.account = &acct
		if len(acct.SealedKey) > 0 {
			ix.accountKey, ix.accountKeyErr = s.unsealAccountKey(acct.ID, acct.SealedKey)
		}
	}
	err = s.scan(prefixUser, false, func(b []byte) (bool, error) {
		var rec userRecord
		if err := decode(b, &rec); err != nil {
			return false, err
		}
		ix.putUser(rec)
		return true, nil
	})
	if err != nil {
		return err
	}
	err = s.scan(prefixKey, false, func(b []byte) (bool, error) {
		k := &keyEntry{}
		if err := decode(b, &k.rec); err != nil {
			return false, err
		}
		var err error
		if k.allow, err = k.rec.allowList(); err != nil {
			return false, err
		}
		if k.hash, err = k.rec.hash(); err != nil {
			return false, err
		}
		k.rec.Rules = nil
		ix.putKey(k)
		return true, nil
	})
	if err != nil {
		return err
	}
	for id, k := range ix.keys {
		var lu lastUsedRecord
		found, err := s.read(uuidKey(prefixLastUsed, id), &lu)
		if err != nil {
			return err
		}
		if found {
			k.lastUsedAt, k.refusedAt = lu.At, lu.RefusedAt
			k.lastUsedFrom, _ = netip.ParseAddr(lu.From)
			k.refusedFrom, _ = netip.ParseAddr(lu.RefusedFrom)
		}
	}
	return nil
}

// Initialized reports whether the account has been created (by Init).
func (s *Store) Initialized() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.account != nil
}

// Account returns the account.
func (s *Store) Account() (Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix.account == nil {
		return Account{}, errNotInitialized
	}
	return s.ix.account.account(), nil
}

var errNotInitialized = &Error{Code: ENotFound, Message: "This data directory has no account yet: create it with `keyward init` or by starting the console."}

func (u *userEntry) user() User {
	r := &u.rec
	return User{ID: r.ID, Name: r.Name, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		HasPassword: r.Password != nil && r.Password.IsSet(), KeyCount: len(u.keys)}
}

// Users returns the team, ordered by name.
func (s *Store) Users() []User {
	s.mu.RLock()
	out := make([]User, 0, len(s.ix.users))
	for _, u := range s.ix.users {
		out = append(out, u.user())
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b User) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out
}

// user returns the user with the given id, or an ENotFound error.
func (ix *index) user(id int64) (*userEntry, error) {
	if u := ix.users[id]; u != nil {
		return u, nil
	}
	return nil, Errorf(ENotFound, "There is no user with id %d.", id)
}

// key returns the user key with the given id, or an ENotFound error.
func (ix *index) key(id uuid.UUID) (*keyEntry, error) {
	if k := ix.keys[id]; k != nil {
		return k, nil
	}
	return nil, Errorf(ENotFound, "There is no API user key with id %s.", id)
}

// User returns the user with the given id.
func (s *Store) User(id int64) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.ix.user(id)
	if err != nil {
		return User{}, err
	}
	return u.user(), nil
}

// UserByEmail returns the user with the given email, compared
// case-insensitively.
func (s *Store) UserByEmail(email string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.ix.emails[emailKey(strings.TrimSpace(email))]
	if u == nil {
		return User{}, Errorf(ENotFound, "There is no user with the email %q.", email)
	}
	return u.user(), nil
}

func (k *keyEntry) userKey() UserKey {
	out := UserKey{ID: k.rec.ID, Name: k.rec.Name, UserID: k.rec.UserID, Hint: k.rec.Hint,
		CreatedAt: k.rec.CreatedAt, CreatedBy: k.rec.CreatedBy, AllowList: slices.Clone(k.allow)}
	if k.user != nil {
		out.UserName, out.UserEmail = k.user.rec.Name, k.user.rec.Email
		out.Active = k.user.rec.Role.CanOwnKeys()
	}
	k.usage.Lock()
	out.LastUsedAt, out.LastUsedFrom = k.lastUsedAt, k.lastUsedFrom
	out.LastRefusedAt, out.LastRefusedFrom = k.refusedAt, k.refusedFrom
	k.usage.Unlock()
	return out
}

// UserKeys returns every user key, ordered by name case-insensitively.
func (s *Store) UserKeys() []UserKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]UserKey, len(s.ix.sorted))
	for i, k := range s.ix.sorted {
		out[i] = k.userKey()
	}
	return out
}

// UserKey returns the key with the given id.
func (s *Store) UserKey(id uuid.UUID) (UserKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, err := s.ix.key(id)
	if err != nil {
		return UserKey{}, err
	}
	return k.userKey(), nil
}

// UserKeyByName returns the key with the given name, compared
// case-insensitively.
func (s *Store) UserKeyByName(name string) (UserKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.ix.names[keyNameKey(name)]
	if k == nil {
		return UserKey{}, Errorf(ENotFound, "There is no API user key named %q.", name)
	}
	return k.userKey(), nil
}
