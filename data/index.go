package data

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// index is the in-memory copy of the account, its settings, users and
// keys: a replica of their records that follows every committed batch
// (under Store.mu), so that reads and authentication never touch storage.
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
	// keyNameKey, so that listing 10,000 keys needs no sort. While loading
	// it is filled in the order the keys come and sorted at the end:
	// inserting 100,000 keys one by one in order moved 40 GB.
	sorted  []*keyEntry
	loading bool

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
	dirty        bool // not yet written to storage
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

// mergeUse takes the stored last-used times where they are newer than the
// ones in memory: several servers using the same key merge to the latest.
// Where memory is newer (another server wrote an older time over this
// one's), the key is marked for writing again, and mergeUse reports it.
func (k *keyEntry) mergeUse(rec lastUsedRecord) (newer bool) {
	k.usage.Lock()
	defer k.usage.Unlock()
	if rec.At.After(k.lastUsedAt) {
		k.lastUsedAt, k.lastUsedFrom = rec.At, parseAddr(rec.From)
	} else if k.lastUsedAt.After(rec.At) {
		newer = true
	}
	if rec.RefusedAt.After(k.refusedAt) {
		k.refusedAt, k.refusedFrom = rec.RefusedAt, parseAddr(rec.RefusedFrom)
	} else if k.refusedAt.After(rec.RefusedAt) {
		newer = true
	}
	if newer {
		k.dirty = true
	}
	return newer
}

// parseAddr reads a stored address; a damaged one reads as none.
func parseAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

func (ix *index) reset() {
	*ix = index{
		users:    map[int64]*userEntry{},
		emails:   map[string]*userEntry{},
		keys:     map[uuid.UUID]*keyEntry{},
		names:    map[string]*keyEntry{},
		hashes:   map[KeyHash]*keyEntry{},
		settings: DefaultSettings(),
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
	if old := ix.keys[k.rec.ID]; old != nil {
		ix.removeKey(old.rec.ID)
	}
	ix.keys[k.rec.ID] = k
	ix.linkKey(k)
}

func (ix *index) removeKey(id uuid.UUID) {
	k := ix.keys[id]
	if k == nil {
		return
	}
	ix.unlinkKey(k)
	delete(ix.keys, id)
}

// linkKey enters k, already in ix.keys, into the name, hash, order and
// user indexes.
func (ix *index) linkKey(k *keyEntry) {
	k.user = ix.users[k.rec.UserID]
	k.nameKey = keyNameKey(k.rec.Name)
	if ix.loading {
		ix.sorted = append(ix.sorted, k) // sorted once, when all are in
	} else {
		i, _ := slices.BinarySearchFunc(ix.sorted, k.nameKey, byNameKey)
		ix.sorted = slices.Insert(ix.sorted, i, k)
	}
	ix.names[k.nameKey] = k
	ix.hashes[k.hash] = k
	if k.user != nil {
		k.user.keys[k.rec.ID] = k
	}
}

// unlinkKey takes k out of the indexes linkKey enters it in.
func (ix *index) unlinkKey(k *keyEntry) {
	delete(ix.names, k.nameKey)
	delete(ix.hashes, k.hash)
	if i, found := slices.BinarySearchFunc(ix.sorted, k.nameKey, byNameKey); found {
		ix.sorted = slices.Delete(ix.sorted, i, i+1)
	}
	if k.user != nil {
		delete(k.user.keys, k.rec.ID)
	}
}

// byNameKey orders the sorted keys.
func byNameKey(e *keyEntry, nameKey string) int { return strings.Compare(e.nameKey, nameKey) }

// load reads every record of the index's tables into ix and returns the
// revision it read at or before: replaying the batches committed after it
// brings ix up to date.
func (s *Store) load(ix *index) (Rev, error) {
	// The records are read table by table. When another process commits
	// meanwhile, the tables may come from different states, and replaying
	// the batches after rev could briefly bring back what a later batch
	// removed: read again, a few times, until no batch came in between.
	var rev Rev
	for attempt := 1; ; attempt++ {
		before, err := s.b.Rev()
		if err != nil {
			return 0, readError(err)
		}
		if err := s.loadOnce(ix); err != nil {
			return 0, err
		}
		after, err := s.b.Rev()
		if err != nil {
			return 0, readError(err)
		}
		rev = before
		if after == before || attempt == maxAttempts {
			return rev, nil
		}
	}
}

// loadOnce reads the index's tables into ix.
func (s *Store) loadOnce(ix *index) error {
	ix.reset()
	ix.loading = true
	defer func() {
		ix.loading = false
		slices.SortFunc(ix.sorted, func(a, b *keyEntry) int { return strings.Compare(a.nameKey, b.nameKey) })
	}()
	for _, key := range [][]byte{keyAccount, keySettings} {
		v, found, err := s.b.Get(key)
		if err != nil {
			return readError(err)
		}
		if found {
			if _, err := s.apply(ix, Op{Key: key, Value: v}); err != nil {
				return err
			}
		}
	}
	// Users come before their keys, keys before their last-used times.
	for _, prefix := range [][]byte{prefixUser, prefixKey, prefixLastUsed} {
		err := s.b.Scan(prefix, false, func(key, value []byte) (bool, error) {
			_, err := s.apply(ix, Op{Key: key, Value: value})
			return err == nil, err
		})
		if err != nil {
			return readError(err)
		}
	}
	return nil
}

// apply brings one committed write into ix, whoever made it, and says what
// it changed. It is the one way records reach the index: when the store
// opens, after each of this process's commits, and for each batch another
// process commits.
func (s *Store) apply(ix *index, op Op) (changes, error) {
	k, v := op.Key, op.Value
	switch {
	case bytes.Equal(k, keyAccount):
		return changes{main: kindAccount}, s.applyAccount(ix, v)
	case bytes.Equal(k, keySettings):
		return changes{main: kindAccount}, ix.applySettings(v)
	case bytes.HasPrefix(k, prefixUser):
		id, ok := keyID(prefixUser, k)
		if !ok {
			return changes{}, nil
		}
		if v == nil {
			ix.removeUser(id)
			return changes{main: kindUsers}, nil
		}
		var rec userRecord
		if err := decode(v, &rec); err != nil {
			return changes{}, err
		}
		return ix.putUserRecord(rec), nil
	case bytes.HasPrefix(k, prefixKey):
		id, ok := keyUUID(prefixKey, k)
		if !ok {
			return changes{}, nil
		}
		if v == nil {
			if ix.keys[id] == nil {
				return changes{}, nil
			}
			ix.removeKey(id)
			return changes{main: kindKeys, also: kindUsers}, nil // the user has one key less
		}
		var rec keyRecord
		if err := decode(v, &rec); err != nil {
			return changes{}, err
		}
		return ix.putKeyRecord(rec)
	case bytes.HasPrefix(k, prefixLastUsed):
		id, ok := keyUUID(prefixLastUsed, k)
		if !ok || v == nil {
			return changes{}, nil // deleted with its key
		}
		var rec lastUsedRecord
		if err := decode(v, &rec); err != nil {
			return changes{}, err
		}
		if e := ix.keys[id]; e != nil && e.mergeUse(rec) {
			s.lastUsedDirty.Store(true)
		}
		return changes{main: kindLastUsed}, nil
	case bytes.HasPrefix(k, prefixSysLog):
		return changes{main: kindSystemLog}, nil
	case bytes.HasPrefix(k, prefixSession):
		return changes{main: kindSessionLog}, nil
	}
	return changes{}, nil // tasks and the rest are read from storage when asked for
}

// applyAccount puts the account record in ix and unseals its account key,
// unless it is the one ix already holds.
func (s *Store) applyAccount(ix *index, v []byte) error {
	if v == nil {
		ix.account, ix.accountKey, ix.accountKeyErr = nil, "", nil
		return nil
	}
	var rec accountRecord
	if err := decode(v, &rec); err != nil {
		return err
	}
	old := ix.account
	ix.account = &rec
	switch {
	case len(rec.SealedKey) == 0:
		ix.accountKey, ix.accountKeyErr = "", nil
	case old == nil || old.ID != rec.ID || !bytes.Equal(old.SealedKey, rec.SealedKey) || ix.accountKeyErr != nil:
		ix.accountKey, ix.accountKeyErr = s.unsealAccountKey(rec.ID, rec.SealedKey)
	}
	return nil
}

// putUserRecord adds or replaces a user. A new name or role changes how
// the user's keys show and whether they authenticate.
func (ix *index) putUserRecord(rec userRecord) changes {
	old := ix.users[rec.ID]
	changed := changes{main: kindUsers}
	if old != nil && (old.rec.Name != rec.Name || old.rec.Role != rec.Role) {
		changed.also = kindKeys // keys show their user's name and state
	}
	ix.putUser(rec)
	return changed
}

// putKeyRecord adds or replaces a key. A replaced key's entry is updated
// in place, so that its last-used times stay.
func (ix *index) putKeyRecord(rec keyRecord) (changes, error) {
	allow, err := rec.allowList()
	if err != nil {
		return changes{}, err
	}
	hash, err := rec.hash()
	if err != nil {
		return changes{}, err
	}
	rec.Rules = nil
	old := ix.keys[rec.ID]
	if old == nil {
		ix.putKey(&keyEntry{rec: rec, hash: hash, allow: allow})
		return changes{main: kindKeys, also: kindUsers}, nil // the user has a key more
	}
	ix.unlinkKey(old)
	old.rec, old.hash, old.allow = rec, hash, allow
	ix.linkKey(old)
	return changes{main: kindKeys}, nil
}

// keepUsage carries the last-used times of prev's keys over to ix, a
// reloaded index, where they are newer, with what is not yet written.
func (ix *index) keepUsage(prev *index) {
	for id, old := range prev.keys {
		k := ix.keys[id]
		if k == nil {
			continue
		}
		old.usage.Lock()
		at, from, refusedAt, refusedFrom, dirty := old.lastUsedAt, old.lastUsedFrom, old.refusedAt, old.refusedFrom, old.dirty
		old.usage.Unlock()
		k.usage.Lock()
		if at.After(k.lastUsedAt) {
			k.lastUsedAt, k.lastUsedFrom = at, from
		}
		if refusedAt.After(k.refusedAt) {
			k.refusedAt, k.refusedFrom = refusedAt, refusedFrom
		}
		k.dirty = k.dirty || dirty
		k.usage.Unlock()
	}
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
		return User{}, Errorf(ENotFound, "There is no user with the email %s.", Quote(email))
	}
	return u.user(), nil
}

func (k *keyEntry) userKey() UserKey {
	out := UserKey{ID: k.rec.ID, Name: k.rec.Name, UserID: k.rec.UserID, Hint: k.rec.Hint,
		CreatedAt: k.rec.CreatedAt, CreatedBy: k.rec.CreatedBy, AllowList: slices.Clone(k.allow)}
	out.Status = k.status()
	if k.user != nil {
		out.UserName, out.UserEmail = k.user.rec.Name, k.user.rec.Email
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
		return UserKey{}, Errorf(ENotFound, "There is no API user key named %s.", Quote(name))
	}
	return k.userKey(), nil
}
