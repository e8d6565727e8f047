package data

import (
	"strings"
	"time"
)

// LogQuery selects log entries, newest first.
type LogQuery struct {
	Offset int // entries to skip
	Limit  int // entries to return; 0 means DefaultLogLimit
	// Since and Until bound the entries' times, both inclusive; zero means
	// unbounded.
	Since, Until time.Time
	// ResourceID keeps only entries about that resource (system log); 0
	// keeps all.
	ResourceID int64
	// Text keeps only entries containing it, case-insensitively, in any
	// text field.
	Text string
}

// DefaultLogLimit is the page size when a query sets none.
const DefaultLogLimit = 100

func (q LogQuery) validate() error {
	switch {
	case q.Offset < 0:
		return Errorf(EInvalid, "The offset must be 0 or more.")
	case q.Limit < 0:
		return Errorf(EInvalid, "The limit must be 1 or more.")
	case !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since):
		return Errorf(EInvalid, "The end of the time range (%s) is before its start (%s).", q.Until.Format(time.RFC3339), q.Since.Format(time.RFC3339))
	}
	return nil
}

// matches applies the time and text filters.
func (q LogQuery) matches(t time.Time, fields ...string) bool {
	if !q.Since.IsZero() && t.Before(q.Since) || !q.Until.IsZero() && t.After(q.Until) {
		return false
	}
	if q.Text == "" {
		return true
	}
	needle := strings.ToLower(q.Text)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// SystemLog returns system-log entries, newest first.
func (s *Store) SystemLog(q LogQuery) ([]SystemLogEntry, error) {
	return pageLog(s, prefixSysLog, q, func(b []byte) (SystemLogEntry, bool, error) {
		var r logRecord
		if err := decode(b, &r); err != nil {
			return SystemLogEntry{}, false, err
		}
		keep := (q.ResourceID == 0 || r.ResourceID == q.ResourceID) &&
			q.matches(r.Time, r.Originator, r.APIKeyName, r.Resource, r.Type, r.Description)
		return r.SystemLogEntry, keep, nil
	})
}

// SessionLog returns session-log entries (console sign-ins), newest first.
// ResourceID is ignored.
func (s *Store) SessionLog(q LogQuery) ([]SessionLogEntry, error) {
	return pageLog(s, prefixSession, q, func(b []byte) (SessionLogEntry, bool, error) {
		var r sessionRecord
		if err := decode(b, &r); err != nil {
			return SessionLogEntry{}, false, err
		}
		return r.SessionLogEntry, q.matches(r.Time, r.User, r.UserAgent, r.IPAddress, r.UserRole, r.Type, r.Action), nil
	})
}

// pageLog walks a log newest first, decoding each entry and keeping those
// that match, after skipping the first Offset matches, up to Limit.
func pageLog[T any](s *Store, prefix []byte, q LogQuery, parse func([]byte) (T, bool, error)) ([]T, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLogLimit
	}
	var out []T
	skipped := 0
	err := s.scan(prefix, true, func(b []byte) (bool, error) {
		e, matched, err := parse(b)
		if err != nil || !matched {
			return err == nil, err
		}
		if skipped < q.Offset {
			skipped++
			return true, nil
		}
		out = append(out, e)
		return len(out) < limit, nil
	})
	return out, err
}
