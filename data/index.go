package data

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// index is the in-memory copy of the account, its settings, users and
// keys: a replica of their records that follows every committed batch
// (under Store.mu), so that reads and authentication never touch storage.
// It is held to under 400 bytes a key (SPEC §6, BenchmarkIndexPerKey):
// a key is one keyEntry, and is found by id, by hash and, through sorted,
// by name.
type index struct {
	account       *accountRecord // nil until Init
	accountKey    string         // the plaintext account key; "" if there is none
	accountKeyErr error          // why a stored account key could not be unsealed

	// keyRecord is where apply decodes a key record: nothing keeps it,
	// and one index is applied to by one goroutine at a time.
	keyRecord keyRecord

	users  map[int64]*userEntry
	emails map[string]*userEntry // by emailKey
	keys   map[uuid.UUID]*keyEntry
	hashes hashIndex
	// previous finds rolled keys by their previous value's hash while
	// their grace period runs (and after, until the key changes again, so
	// that the old value is told it ended); nil while there is none.
	previous map[KeyHash]*keyEntry
	// sorted holds the keys in the order UserKeys lists them, by
	// keyNameKey of their names, so that listing 100,000 keys needs no
	// sort; a binary search in it finds a key by name. While loading it is
	// filled in the order the keys come and sorted at the end: inserting
	// 100,000 keys one by one in order moved 40 GB.
	sorted  []*keyEntry
	loading bool
	// creators interns the keys' CreatedBy: a few names, each shared by
	// many keys.
	creators map[string]string

	settings Settings
	// restoring is there while a restore is written into the store (see
	// restoringRecord); nil otherwise.
	restoring *restoringRecord
}

type userEntry struct {
	rec  userRecord
	keys int // how many keys the user owns (whose user is this entry)
}

// keyEntry is a key as the index keeps it: its record, less what the
// index keeps otherwise (the hash as bytes, not hex; the allow list
// parsed; the times and addresses in compact forms), and its last uses.
type keyEntry struct {
	id   uuid.UUID
	hash KeyHash
	// text is the key's hint, then its name, in one string (see setText):
	// a string and an allocation less, which keep a key under 400 bytes.
	text      string
	createdBy string // interned (index.creators)
	userID    int64
	user      *userEntry // nil if the user is not in the index
	allow     *AllowList // nil for an empty list; replaced, never modified in place
	life      *keyLife   // nil for a key with no expiry, enabled, not rolled, undescribed
	// whole holds what the compact fields below cannot (see compact.go);
	// nil but for that.
	whole *keyWhole

	created stamp
	// usage guards the last uses and whole: authentication writes them
	// under a read lock of Store.mu.
	usage sync.Mutex
	at    [2]stamp // when the last uses were
	from  [2]addr  // the clients they came from
	dirty bool     // the last uses are not yet written to storage
	// hintLen is how much of text is the hint.
	hintLen uint8
}

// name returns the key's name.
func (k *keyEntry) name() string { return k.text[k.hintLen:] }

// hint returns the key's hint, its value's prefix and last characters.
func (k *keyEntry) hint() string { return k.text[:k.hintLen] }

// setText sets the key's hint and name. A hint is a dozen bytes; a longer
// one, which only a damaged record could hold, is cut.
func (k *keyEntry) setText(hint, name string) {
	if len(hint) > 255 {
		hint = hint[:255]
	}
	k.text, k.hintLen = hint+name, uint8(len(hint))
}

// The last uses of a key, as indexes of keyEntry.at and from.
const (
	used    = iota // the latest request authenticated with the key
	refused        // the latest request its allow list refused
)

// keyLife is a key's lifecycle, for the few keys that have one: kept
// apart so that the others cost one nil pointer. It is replaced, never
// modified in place.
type keyLife struct {
	expiresAt   time.Time // zero: never
	disabled    bool
	disabledAt  time.Time
	disabledBy  string
	prevHash    KeyHash   // the previous value's, while prevUntil is not zero
	prevUntil   time.Time // when the previous value stops working; zero: none
	description string
}

// lifeOf reads a key record's lifecycle: nil when it has none.
func lifeOf(rec *keyRecord) (*keyLife, error) {
	if rec.ExpiresAt == nil && rec.Disabled == nil && rec.Previous == nil && rec.Description == "" {
		return nil, nil
	}
	l := &keyLife{description: rec.Description}
	if rec.ExpiresAt != nil {
		l.expiresAt = *rec.ExpiresAt
	}
	if d := rec.Disabled; d != nil {
		l.disabled, l.disabledAt, l.disabledBy = true, d.At, d.By
	}
	if p := rec.Previous; p != nil {
		h, ok := parseHash(p.SHA256)
		if !ok {
			return nil, Errorf(EInternal, "The stored previous hash of key %s is damaged.", rec.Name)
		}
		l.prevHash, l.prevUntil = h, p.Until
	}
	return l, nil
}

// keyWhole is what a keyEntry keeps whole: times in a zone other than UTC
// and Local, addresses with a zone. Keyward itself records none.
type keyWhole struct {
	created time.Time
	at      [2]time.Time
	from    [2]netip.Addr
}

func (k *keyEntry) keepWhole() *keyWhole {
	if k.whole == nil {
		k.whole = new(keyWhole)
	}
	return k.whole
}

// createdAt returns when the key was created. The caller holds k.usage
// or Store.mu for writing.
func (k *keyEntry) createdAt() time.Time {
	if k.created.nsec&stampWhole != 0 {
		return k.whole.created
	}
	return k.created.time()
}

func (k *keyEntry) setCreatedAt(t time.Time) {
	st, ok := stampOf(t)
	if !ok {
		k.keepWhole().created, st = t, stamp{nsec: stampWhole}
	}
	k.created = st
}

// last returns one of the key's last uses. The caller holds k.usage.
func (k *keyEntry) last(u int) (at time.Time, from netip.Addr) {
	if k.at[u].nsec&stampWhole != 0 {
		at = k.whole.at[u]
	} else {
		at = k.at[u].time()
	}
	if k.from[u].kind == addrWhole {
		from = k.whole.from[u]
	} else {
		from = k.from[u].netip()
	}
	return at, from
}

// setLast sets one of the key's last uses. The caller holds k.usage.
func (k *keyEntry) setLast(u int, at time.Time, from netip.Addr) {
	st, ok := stampOf(at)
	if !ok {
		k.keepWhole().at[u], st = at, stamp{nsec: stampWhole}
	}
	ad, ok := addrOf(from)
	if !ok {
		k.keepWhole().from[u], ad = from, addr{kind: addrWhole}
	}
	k.at[u], k.from[u] = st, ad
}

// allowList returns the key's allow list, which must not be modified.
func (k *keyEntry) allowList() AllowList {
	if k.allow == nil {
		return nil
	}
	return *k.allow
}

// recordUse notes a request authenticated with this key; allowed tells
// whether its allow list let it through.
func (k *keyEntry) recordUse(now time.Time, from netip.Addr, allowed bool) {
	u := used
	if !allowed {
		u = refused
	}
	from = from.Unmap().WithZone("")
	k.usage.Lock()
	k.setLast(u, now, from)
	k.dirty = true
	k.usage.Unlock()
}

// mergeUse takes the stored last uses where they are newer than the ones
// in memory: several servers using the same key merge to the latest.
// Where memory is newer (another server wrote an older time over this
// one's), the key is marked for writing again, and mergeUse reports it.
func (k *keyEntry) mergeUse(rec lastUsedRecord) (newer bool) {
	k.usage.Lock()
	defer k.usage.Unlock()
	for u, stored := range [2]struct {
		at   time.Time
		from string
	}{{rec.At, rec.From}, {rec.RefusedAt, rec.RefusedFrom}} {
		if at, _ := k.last(u); stored.at.After(at) {
			k.setLast(u, stored.at, parseAddr(stored.from))
		} else if at.After(stored.at) {
			newer = true
		}
	}
	if newer {
		k.dirty = true
	}
	return newer
}

// lastUsedRecord returns the key's last uses as they are stored. The
// caller holds k.usage.
func (k *keyEntry) lastUsedRecord() lastUsedRecord {
	rec := lastUsedRecord{V: recordVersion}
	var from, refusedFrom netip.Addr
	rec.At, from = k.last(used)
	rec.RefusedAt, refusedFrom = k.last(refused)
	if from.IsValid() {
		rec.From = from.String()
	}
	if refusedFrom.IsValid() {
		rec.RefusedFrom = refusedFrom.String()
	}
	return rec
}

// record returns the key's record, as it is stored but for the allow list
// (Rules), which the caller sets. The caller holds Store.mu for writing.
func (k *keyEntry) record() keyRecord {
	rec := keyRecord{V: recordVersion, ID: k.id, Name: k.name(), UserID: k.userID, SHA256: hex.EncodeToString(k.hash[:]),
		Hint: k.hint(), CreatedAt: k.createdAt(), CreatedBy: k.createdBy}
	if l := k.life; l != nil {
		rec.V, rec.Description = lifecycleVersion, l.description
		if !l.expiresAt.IsZero() {
			t := l.expiresAt
			rec.ExpiresAt = &t
		}
		if l.disabled {
			rec.Disabled = &disabledRecord{At: l.disabledAt, By: l.disabledBy}
		}
		if !l.prevUntil.IsZero() {
			rec.Previous = &previousRecord{SHA256: hex.EncodeToString(l.prevHash[:]), Until: l.prevUntil}
		}
	}
	return rec
}

// parseAddr reads a stored address; a damaged one reads as none.
func parseAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// hashIndex finds keys by the hash of their value, for Authenticate. It is
// a map by the hash's first 8 bytes, which are as random as the whole
// hash, and 24 bytes a key smaller than a map by all 32; the rare key whose
// first 8 bytes another key's hash shares is in more, by its whole hash.
type hashIndex struct {
	m    map[uint64]*keyEntry
	more map[KeyHash]*keyEntry
}

func hashPrefix(h KeyHash) uint64 { return binary.LittleEndian.Uint64(h[:8]) }

// get returns the key with hash h, or nil. It allocates nothing.
func (hi *hashIndex) get(h KeyHash) *keyEntry {
	if k := hi.m[hashPrefix(h)]; k != nil && k.hash == h {
		return k
	}
	if len(hi.more) == 0 {
		return nil
	}
	return hi.more[h]
}

// put enters k; a key of the same hash already there is no longer found.
func (hi *hashIndex) put(k *keyEntry) {
	p := hashPrefix(k.hash)
	if other := hi.m[p]; other != nil && other.hash != k.hash {
		if hi.more == nil {
			hi.more = map[KeyHash]*keyEntry{}
		}
		hi.more[k.hash] = k
		return
	}
	hi.m[p] = k
}

// remove takes k out, if it is the key found for its hash.
func (hi *hashIndex) remove(k *keyEntry) {
	p := hashPrefix(k.hash)
	if hi.m[p] != k {
		if hi.more[k.hash] == k {
			delete(hi.more, k.hash)
		}
		return
	}
	delete(hi.m, p)
	for h, other := range hi.more {
		if hashPrefix(h) == p {
			hi.m[p] = other
			delete(hi.more, h)
			return
		}
	}
}

func (ix *index) reset() {
	*ix = index{
		users:    map[int64]*userEntry{},
		emails:   map[string]*userEntry{},
		keys:     map[uuid.UUID]*keyEntry{},
		hashes:   hashIndex{m: map[uint64]*keyEntry{}},
		creators: map[string]string{},
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
	u := &userEntry{rec: rec}
	ix.users[rec.ID] = u
	ix.emails[emailKey(rec.Email)] = u
}

func (ix *index) removeUser(id int64) {
	u := ix.users[id]
	if u == nil {
		return
	}
	for _, k := range ix.keysOf(u) {
		ix.removeKey(k.id)
	}
	delete(ix.emails, emailKey(u.rec.Email))
	delete(ix.users, id)
}

// keysOf returns the keys the user u owns, by name.
func (ix *index) keysOf(u *userEntry) []*keyEntry {
	var out []*keyEntry
	for _, k := range ix.sorted {
		if k.user == u {
			out = append(out, k)
		}
	}
	return out
}

func (ix *index) removeKey(id uuid.UUID) {
	if k := ix.keys[id]; k != nil {
		ix.unlinkKey(k)
	}
}

// linkKey enters k into the indexes, and counts it for its user. While
// loading, it only adds k to sorted, and keysLoaded does the rest once
// all the keys are in: a scan brings each key once.
func (ix *index) linkKey(k *keyEntry) {
	k.user = ix.users[k.userID]
	if k.user != nil {
		k.user.keys++
	}
	if k.life != nil && !k.life.prevUntil.IsZero() {
		if ix.previous == nil {
			ix.previous = map[KeyHash]*keyEntry{}
		}
		ix.previous[k.life.prevHash] = k
	}
	if ix.loading {
		ix.sorted = append(ix.sorted, k)
		return
	}
	ix.keys[k.id] = k
	i, _ := slices.BinarySearchFunc(ix.sorted, k.name(), byName)
	ix.sorted = slices.Insert(ix.sorted, i, k)
	ix.hashes.put(k)
}

// unlinkKey takes k out of the indexes linkKey enters it in.
func (ix *index) unlinkKey(k *keyEntry) {
	delete(ix.keys, k.id)
	if k.life != nil && !k.life.prevUntil.IsZero() && ix.previous[k.life.prevHash] == k {
		delete(ix.previous, k.life.prevHash)
	}
	ix.hashes.remove(k)
	i, _ := slices.BinarySearchFunc(ix.sorted, k.name(), byName)
	for ; i < len(ix.sorted) && compareNames(ix.sorted[i].name(), k.name()) == 0; i++ {
		if ix.sorted[i] == k {
			ix.sorted = slices.Delete(ix.sorted, i, i+1)
			break
		}
	}
	if k.user != nil {
		k.user.keys--
	}
}

// previousValue returns the rolled key whose previous value has hash h,
// or nil. It allocates nothing.
func (ix *index) previousValue(h KeyHash) *keyEntry {
	if len(ix.previous) == 0 {
		return nil
	}
	return ix.previous[h]
}

// keyByName returns the key named name, compared case-insensitively, or
// nil.
func (ix *index) keyByName(name string) *keyEntry {
	if i, found := slices.BinarySearchFunc(ix.sorted, name, byName); found {
		return ix.sorted[i]
	}
	return nil
}

// byName orders the sorted keys.
func byName(e *keyEntry, name string) int { return compareNames(e.name(), name) }

// compareNames compares keyNameKey(a) with keyNameKey(b), without making
// them for ASCII names, which key names are.
func compareNames(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca|cb >= utf8.RuneSelf {
			return strings.Compare(keyNameKey(a), keyNameKey(b))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	// One is the other's prefix, in which case the rest of the longer one,
	// lower case, is not empty either.
	return cmp.Compare(len(a), len(b))
}

// sortedByName returns keys sorted by keyNameKey of their names. It sorts copies of
// the name keys, each with 8 of its bytes as a number (those after the
// part every name shares): most comparisons then read neither the entries
// nor the names, which lie all over the heap. Sorting the entries
// themselves took 80 to 190 ms for 100,000 keys.
func sortedByName(keys []*keyEntry) []*keyEntry {
	type named struct {
		window uint64 // bytes [shared, shared+8) of key, big-endian, zero-padded
		key    string // keyNameKey(k.name())
		k      *keyEntry
	}
	items := make([]named, len(keys))
	shared := -1
	for i, k := range keys {
		items[i] = named{key: keyNameKey(k.name()), k: k}
		if shared < 0 {
			shared = len(items[i].key)
		}
		shared = min(shared, commonPrefix(items[0].key, items[i].key))
	}
	for i := range items {
		var w [8]byte
		if shared < len(items[i].key) {
			copy(w[:], items[i].key[shared:])
		}
		items[i].window = binary.BigEndian.Uint64(w[:])
	}
	slices.SortFunc(items, func(a, b named) int {
		if c := cmp.Compare(a.window, b.window); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]*keyEntry, len(items))
	for i := range items {
		out[i] = items[i].k
	}
	return out
}

// commonPrefix returns the length of the prefix a and b share.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// intern returns the one copy of a key's creator the index keeps.
func (ix *index) intern(createdBy string) string {
	if s, ok := ix.creators[createdBy]; ok {
		return s
	}
	ix.creators[createdBy] = createdBy
	return createdBy
}

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
	for _, key := range [][]byte{keyAccount, keySettings, keyRestoring} {
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
	ix.loading = true
	err := s.scanAhead([][]byte{prefixUser, prefixKey, prefixLastUsed}, func(table int, key, value []byte, rec *keyRecord, decodeErr error) error {
		if table == 2 && ix.loading {
			ix.keysLoaded()
		}
		var err error
		if rec != nil {
			_, err = ix.putDecodedKey(key, rec, decodeErr)
		} else {
			_, err = s.apply(ix, Op{Key: key, Value: value})
		}
		return err
	})
	if ix.loading {
		ix.keysLoaded()
	}
	return err
}

// scanAhead calls fn with every record under each of prefixes in turn,
// as a Scan of each would, with the index of the prefix, until fn returns
// an error. Another goroutine reads the records from the backend a few
// batches ahead, and a third decodes the key records (prefixKey) among
// them, which fn gets as rec with what decoding said (nil for other
// records): reading and decoding 200,000 records then take the other
// core, or wait on the network, while this one enters them in the index.
// (Decoding as they were read made reading from Redis slower: the reader
// decoded while it could have been waiting for the next records.)
func (s *Store) scanAhead(prefixes [][]byte, fn func(table int, key, value []byte, rec *keyRecord, decodeErr error) error) error {
	type batch struct {
		table int
		keys  bool        // under prefixKey
		buf   []byte      // the keys and values, one after the other
		ends  []int       // where each key and each value ends in buf
		recs  []keyRecord // the key records decoded, under prefixKey
		errs  []error     // what decoding each of them said
	}
	const batchRecords = 256
	read, full, free := make(chan *batch, 2), make(chan *batch, 2), make(chan *batch, 6)
	for range cap(free) {
		free <- &batch{}
	}
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(full)
		stopped := false
		for b := range read {
			if stopped {
				continue // until the reader has stopped too
			}
			if b.keys {
				b.recs, b.errs = b.recs[:0], b.errs[:0]
				for i := 0; i < len(b.ends); i += 2 {
					b.recs = append(b.recs, keyRecord{})
					b.errs = append(b.errs, decodeKeyRecord(b.buf[b.ends[i]:b.ends[i+1]], &b.recs[len(b.recs)-1]))
				}
			}
			select {
			case full <- b:
			case <-stop:
				stopped = true
			}
		}
	}()
	go func() {
		defer close(read)
		var b *batch
		send := func() bool {
			select {
			case read <- b:
				b = nil
				return true
			case <-stop:
				return false
			}
		}
		for table, prefix := range prefixes {
			keys := bytes.Equal(prefix, prefixKey)
			err := s.b.Scan(prefix, false, func(key, value []byte) (bool, error) {
				if b == nil {
					select {
					case b = <-free:
					case <-stop:
						return false, nil
					}
					b.table, b.keys, b.buf, b.ends, b.recs, b.errs = table, keys, b.buf[:0], b.ends[:0], b.recs[:0], b.errs[:0]
				}
				b.buf = append(append(b.buf, key...), value...)
				b.ends = append(b.ends, len(b.buf)-len(value), len(b.buf))
				return len(b.ends) < 2*batchRecords || send(), nil
			})
			if err != nil {
				readErr = readError(err)
				return
			}
			if b != nil && !send() {
				return
			}
		}
	}()
	var applyErr error
	for b := range full {
		start := 0
		for i := 0; i < len(b.ends) && applyErr == nil; i += 2 {
			key, value := b.buf[start:b.ends[i]], b.buf[b.ends[i]:b.ends[i+1]]
			var rec *keyRecord
			var decodeErr error
			if len(b.recs) > 0 {
				rec, decodeErr = &b.recs[i/2], b.errs[i/2]
			}
			if applyErr = fn(b.table, key, value, rec, decodeErr); applyErr != nil {
				close(stop) // the reader stops; full closes once it has
			}
			start = b.ends[i+1]
		}
		if applyErr == nil {
			free <- b
		}
	}
	if applyErr != nil {
		return applyErr
	}
	return readErr
}

// keysLoaded ends the loading of the keys: it sorts them, and enters them
// in maps made at their final size, both at once.
func (ix *index) keysLoaded() {
	ix.loading = false
	keys, sorted := ix.sorted, make(chan []*keyEntry)
	go func() { sorted <- sortedByName(keys) }()
	ix.keys = make(map[uuid.UUID]*keyEntry, len(ix.sorted))
	ix.hashes = hashIndex{m: make(map[uint64]*keyEntry, len(ix.sorted))}
	for _, k := range ix.sorted {
		ix.keys[k.id] = k
		ix.hashes.put(k)
	}
	ix.sorted = <-sorted
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
	case bytes.Equal(k, keyRestoring):
		ix.restoring = nil
		if v == nil {
			return changes{main: kindAccount}, nil
		}
		var rec restoringRecord
		if err := decode(v, &rec); err != nil {
			return changes{}, err
		}
		ix.restoring = &rec
		return changes{main: kindAccount}, nil
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
		// One record at a time, in the index's own: a record on the heap
		// each was 150 of the 520 bytes reading a key allocated.
		rec := &ix.keyRecord
		*rec = keyRecord{}
		return ix.putDecodedKey(k, rec, decodeKeyRecord(v, rec))
	case bytes.HasPrefix(k, prefixLastUsed):
		id, ok := keyUUID(prefixLastUsed, k)
		if !ok || v == nil {
			return changes{}, nil // deleted with its key
		}
		var rec lastUsedRecord
		if err := decodeLastUsed(v, &rec); err != nil {
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

// putDecodedKey enters in ix the key record written under k, decoded into
// rec, decodeErr what decoding said: the end of apply for a key written,
// which loading comes to with the records already decoded (scanAhead).
func (ix *index) putDecodedKey(k []byte, rec *keyRecord, decodeErr error) (changes, error) {
	if _, ok := keyUUID(prefixKey, k); !ok {
		return changes{}, nil
	}
	if decodeErr != nil {
		return changes{}, decodeErr
	}
	return ix.putKeyRecord(rec)
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
		ix.accountKey, ix.accountKeyErr = s.unsealAccountKey(rec.ID, rec.SealedKey, rec.SealKeyID)
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
func (ix *index) putKeyRecord(rec *keyRecord) (changes, error) {
	allow, err := rec.allowList()
	if err != nil {
		return changes{}, err
	}
	hash, err := rec.hash()
	if err != nil {
		return changes{}, err
	}
	life, err := lifeOf(rec)
	if err != nil {
		return changes{}, err
	}
	k := ix.keys[rec.ID]
	added := k == nil
	if added {
		k = &keyEntry{}
	} else {
		ix.unlinkKey(k)
	}
	k.id, k.hash, k.createdBy, k.userID = rec.ID, hash, ix.intern(rec.CreatedBy), rec.UserID
	k.setText(rec.Hint, rec.Name)
	k.allow = nil
	if len(allow) > 0 {
		k.allow = &allow
	}
	k.setCreatedAt(rec.CreatedAt)
	k.life = life
	ix.linkKey(k)
	if added {
		return changes{main: kindKeys, also: kindUsers}, nil // the user has a key more
	}
	return changes{main: kindKeys}, nil
}

// keepUsage carries the last uses of prev's keys over to ix, a reloaded
// index, where they are newer, with what is not yet written.
func (ix *index) keepUsage(prev *index) {
	for id, old := range prev.keys {
		k := ix.keys[id]
		if k == nil {
			continue
		}
		old.usage.Lock()
		var at [2]time.Time
		var from [2]netip.Addr
		for u := range at {
			at[u], from[u] = old.last(u)
		}
		dirty := old.dirty
		old.usage.Unlock()
		k.usage.Lock()
		for u := range at {
			if mine, _ := k.last(u); at[u].After(mine) {
				k.setLast(u, at[u], from[u])
			}
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

// UnfinishedRestore returns, when a restore into this store began and did
// not finish, an error that says so and how to finish it; nil otherwise.
// Such a store has no account until the restore is run again.
func (s *Store) UnfinishedRestore() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.unfinishedRestore()
}

func (s *Store) unfinishedRestore() error {
	r := s.ix.restoring
	if r == nil {
		return nil
	}
	return Errorf(EConflict, "%s holds part of a restore of the account %s (backed up %s) that did not finish: run the same restore (or migrate --from) again; it starts over.",
		s.b.Location(), r.Account, r.Created.UTC().Format("2006-01-02 15:04 UTC"))
}

var errNotInitialized = &Error{Code: ENotFound, Message: "This data directory has no account yet: create it with `keyward init` or by starting the console."}

func (u *userEntry) user() User {
	r := &u.rec
	return User{ID: r.ID, Name: r.Name, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		HasPassword: r.Password != nil && r.Password.IsSet(), KeyCount: u.keys}
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

func (k *keyEntry) userKey(now time.Time) UserKey {
	out := UserKey{ID: k.id, Name: k.name(), UserID: k.userID, Hint: k.hint(), CreatedBy: k.createdBy, AllowList: slices.Clone(k.allowList())}
	out.Status = k.status(now)
	if l := k.life; l != nil {
		out.ExpiresAt, out.Description = l.expiresAt, l.description
		if l.disabled {
			out.DisabledAt, out.DisabledBy = l.disabledAt, l.disabledBy
		}
		if now.Before(l.prevUntil) {
			out.GraceUntil = l.prevUntil
		}
	}
	if k.user != nil {
		out.UserName, out.UserEmail = k.user.rec.Name, k.user.rec.Email
	}
	k.usage.Lock()
	out.CreatedAt = k.createdAt()
	out.LastUsedAt, out.LastUsedFrom = k.last(used)
	out.LastRefusedAt, out.LastRefusedFrom = k.last(refused)
	k.usage.Unlock()
	return out
}

// UserKeys returns every user key, ordered by name case-insensitively.
func (s *Store) UserKeys() []UserKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]UserKey, len(s.ix.sorted))
	now := s.opts.Now()
	for i, k := range s.ix.sorted {
		out[i] = k.userKey(now)
	}
	return out
}

// KeyList is every user key at one moment, in UserKeys' order, read a
// key at a time: it holds a pointer a key where UserKeys copies each
// (about 300 bytes), so that a console showing 100,000 keys builds only
// the rows it draws. At reads a key as it is when called, or as it was
// when it was deleted; take a new list when the store says the keys
// changed.
type KeyList struct {
	s       *Store
	entries []*keyEntry
	now     time.Time
}

// KeyList returns the keys as a KeyList.
func (s *Store) KeyList() KeyList {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return KeyList{s: s, entries: slices.Clone(s.ix.sorted), now: s.opts.Now()}
}

// Len returns how many keys the list holds.
func (l KeyList) Len() int { return len(l.entries) }

// Now returns the time the list's statuses are computed at.
func (l KeyList) Now() time.Time { return l.now }

// At returns the key at position i, 0 ≤ i < Len().
func (l KeyList) At(i int) UserKey {
	l.s.mu.RLock()
	defer l.s.mu.RUnlock()
	return l.entries[i].userKey(l.now)
}

// ID returns the id of the key at position i, without reading the rest.
func (l KeyList) ID(i int) uuid.UUID {
	l.s.mu.RLock()
	defer l.s.mu.RUnlock()
	return l.entries[i].id
}

// Timed returns the positions of the keys that have an expiry or a
// previous value still in its grace period: the keys whose status or
// rows change with the clock. It reads no other key.
func (l KeyList) Timed() []int {
	if len(l.entries) == 0 {
		return nil // the zero KeyList too
	}
	l.s.mu.RLock()
	defer l.s.mu.RUnlock()
	var out []int
	for i, k := range l.entries {
		if life := k.life; life != nil && (!life.expiresAt.IsZero() || l.now.Before(life.prevUntil)) {
			out = append(out, i)
		}
	}
	return out
}

// UserKeyCount returns how many user keys the account has, without
// copying them out as UserKeys does.
func (s *Store) UserKeyCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.ix.sorted)
}

// UserKey returns the key with the given id.
func (s *Store) UserKey(id uuid.UUID) (UserKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, err := s.ix.key(id)
	if err != nil {
		return UserKey{}, err
	}
	return k.userKey(s.opts.Now()), nil
}

// UserKeyByName returns the key with the given name, compared
// case-insensitively.
func (s *Store) UserKeyByName(name string) (UserKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.ix.keyByName(name)
	if k == nil {
		return UserKey{}, Errorf(ENotFound, "There is no API user key named %s.", Quote(name))
	}
	return k.userKey(s.opts.Now()), nil
}
