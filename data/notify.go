package data

// ChangeKind says what part of the data changed.
type ChangeKind int

// The kinds of change subscribers hear of.
const (
	ChangeAccount    ChangeKind = iota + 1 // the account, the API state or the account key
	ChangeUsers                            // the team
	ChangeKeys                             // user keys or their allow lists
	ChangeLastUsed                         // last-used times, written every few seconds
	ChangeSystemLog                        // a system-log entry was added
	ChangeSessionLog                       // a session-log entry was added
	ChangeStorage                          // the storage failed: see Store.Failure
)

// Change is a notification sent after a change is committed.
type Change struct {
	Kind ChangeKind
}

// Subscribe calls fn after every committed change, from the goroutine that
// made it or, for another process's change, the one that follows the
// store, so that views can refresh whatever the change came from (the
// console, the REST API, another machine). fn must return quickly and must not block; a
// Fyne view hands the work to fyne.Do. The returned function unsubscribes.
func (s *Store) Subscribe(fn func(Change)) (cancel func()) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		delete(s.subs, id)
	}
}

// kinds is a set of ChangeKinds.
type kinds uint8

const (
	kindAccount    = kinds(1) << ChangeAccount
	kindUsers      = kinds(1) << ChangeUsers
	kindKeys       = kinds(1) << ChangeKeys
	kindLastUsed   = kinds(1) << ChangeLastUsed
	kindSystemLog  = kinds(1) << ChangeSystemLog
	kindSessionLog = kinds(1) << ChangeSessionLog
	kindStorage    = kinds(1) << ChangeStorage
	kindLogs       = kindSystemLog | kindSessionLog
	kindAll        = kindAccount | kindUsers | kindKeys | kindLastUsed | kindLogs
)

// changes says what committed writes changed: main, what they are about,
// and also, what that touches besides (a new key adds to its user's key
// count; a renamed user shows in the rows of their keys).
type changes struct{ main, also kinds }

func (c *changes) add(o changes) { c.main |= o.main; c.also |= o.also }

// notify tells the subscribers of each kind of change: first what the
// change is about, then its log entries, then what it touches besides.
func (s *Store) notify(c changes) {
	if c.main|c.also == 0 {
		return
	}
	s.subMu.Lock()
	fns := make([]func(Change), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	var told kinds
	for _, set := range []kinds{c.main &^ kindLogs, c.main & kindLogs, c.also} {
		for k := ChangeAccount; k <= ChangeStorage; k++ {
			bit := kinds(1) << k
			if set&bit == 0 || told&bit != 0 {
				continue
			}
			told |= bit
			for _, fn := range fns {
				fn(Change{Kind: k})
			}
		}
	}
}
