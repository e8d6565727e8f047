package data

import "slices"

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
)

// Change is a notification sent after a change is committed.
type Change struct {
	Kind ChangeKind
}

// Subscribe calls fn after every committed change, from the goroutine that
// made it, so that views can refresh whatever the change came from (the
// console, the REST API). fn must return quickly and must not block; a
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

func (s *Store) notify(changes []Change) {
	if len(changes) == 0 {
		return
	}
	var kinds []ChangeKind
	for _, c := range changes {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	s.subMu.Lock()
	fns := make([]func(Change), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	for _, k := range kinds {
		for _, fn := range fns {
			fn(Change{Kind: k})
		}
	}
}
