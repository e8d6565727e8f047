package data

import "unicode/utf8"

// Opening a store decodes every key record and every last-used record:
// 200,000 of them for 100,000 keys, where encoding/json took about half of
// the time the store took to open. decodeKeyRecord and decodeLastUsed read
// the form json.Marshal writes (the fields in any order, no escapes in the
// strings) by hand, and hand anything else to decode, so that they read
// exactly what encoding/json reads (FuzzRecordDecoders holds them to it).
// The times and the ids go through the same methods encoding/json calls.

// decodeKeyRecord decodes a stored key record into rec, which must be zero.
func decodeKeyRecord(b []byte, rec *keyRecord) error {
	if !readKeyRecord(b, rec) {
		*rec = keyRecord{}
		return decode(b, rec)
	}
	return checkVersion(rec)
}

// decodeLastUsed decodes a stored last-used record into rec, which must be
// zero.
func decodeLastUsed(b []byte, rec *lastUsedRecord) error {
	if !readLastUsed(b, rec) {
		*rec = lastUsedRecord{}
		return decode(b, rec)
	}
	return checkVersion(rec)
}

// recordReader reads a JSON record of a known shape. Each method reports
// false for anything outside the plain form; the caller then leaves the
// record to encoding/json.
type recordReader struct {
	b []byte
	i int
}

func (r *recordReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next skips white space and reports whether the next byte is c, which it
// then consumes.
func (r *recordReader) next(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// quoted returns a string value with its quotes. It has no escapes or
// control characters, and is valid UTF-8.
func (r *recordReader) quoted() ([]byte, bool) {
	r.space()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, false
	}
	start := r.i
	ascii := true
	for r.i++; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			r.i++
			s := r.b[start:r.i]
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// str returns the contents of a string value.
func (r *recordReader) str() ([]byte, bool) {
	s, ok := r.quoted()
	if !ok {
		return nil, false
	}
	return s[1 : len(s)-1], true
}

// int returns an integer value, as encoding/json reads one into an int64:
// no fraction, no exponent, no overflow.
func (r *recordReader) int() (int64, bool) {
	r.space()
	neg := r.i < len(r.b) && r.b[r.i] == '-'
	if neg {
		r.i++
	}
	start := r.i
	var n uint64
	for ; r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9'; r.i++ {
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(r.b[r.i]-'0')
	}
	digits := r.i - start
	switch {
	case digits == 0 || digits > 1 && r.b[start] == '0':
		return 0, false
	case r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E'):
		return 0, false
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// object reads the members of an object, calling field with each name
// until it reports false. Each name may come once.
func (r *recordReader) object(field func(name []byte) bool) bool {
	if !r.next('{') {
		return false
	}
	if r.next('}') {
		return true
	}
	for {
		name, ok := r.str()
		if !ok || !r.next(':') || !field(name) {
			return false
		}
		if r.next('}') {
			return true
		}
		if !r.next(',') {
			return false
		}
	}
}

// end reports whether nothing but white space is left.
func (r *recordReader) end() bool {
	r.space()
	return r.i == len(r.b)
}

// seen notes that the field with bit was read, and reports false if it
// was already: encoding/json would merge a repeated field into the first.
func seen(fields *uint32, bit uint32) bool {
	if *fields&bit != 0 {
		return false
	}
	*fields |= bit
	return true
}

func readKeyRecord(b []byte, rec *keyRecord) bool {
	r := recordReader{b: b}
	var fields uint32
	ok := r.object(func(name []byte) bool {
		var ok bool
		switch string(name) {
		case "v":
			var v int64
			v, ok = r.int()
			rec.V = int(v)
			return ok && seen(&fields, 1<<0)
		case "id":
			var s []byte
			s, ok = r.str()
			return ok && rec.ID.UnmarshalText(s) == nil && seen(&fields, 1<<1)
		case "name":
			rec.Name, ok = r.text()
			return ok && seen(&fields, 1<<2)
		case "userId":
			rec.UserID, ok = r.int()
			return ok && seen(&fields, 1<<3)
		case "sha256":
			rec.SHA256, ok = r.text()
			return ok && seen(&fields, 1<<4)
		case "hint":
			rec.Hint, ok = r.text()
			return ok && seen(&fields, 1<<5)
		case "createdAt":
			var s []byte
			s, ok = r.quoted()
			return ok && rec.CreatedAt.UnmarshalJSON(s) == nil && seen(&fields, 1<<6)
		case "createdBy":
			rec.CreatedBy, ok = r.text()
			return ok && seen(&fields, 1<<7)
		case "rules":
			rec.Rules, ok = r.rules()
			return ok && seen(&fields, 1<<8)
		}
		return false
	})
	return ok && r.end()
}

// rules reads a key's allow list: an array of rule objects.
func (r *recordReader) rules() ([]ruleRecord, bool) {
	if !r.next('[') {
		return nil, false
	}
	out := []ruleRecord{}
	if r.next(']') {
		return out, true
	}
	for {
		var rule ruleRecord
		var fields uint32
		ok := r.object(func(name []byte) bool {
			switch string(name) {
			case "id":
				s, ok := r.str()
				return ok && rule.ID.UnmarshalText(s) == nil && seen(&fields, 1<<0)
			case "prefix":
				var ok bool
				rule.Prefix, ok = r.text()
				return ok && seen(&fields, 1<<1)
			case "createdAt":
				s, ok := r.quoted()
				return ok && rule.CreatedAt.UnmarshalJSON(s) == nil && seen(&fields, 1<<2)
			case "updatedAt":
				s, ok := r.quoted()
				return ok && rule.UpdatedAt.UnmarshalJSON(s) == nil && seen(&fields, 1<<3)
			}
			return false
		})
		if !ok {
			return nil, false
		}
		out = append(out, rule)
		if r.next(']') {
			return out, true
		}
		if !r.next(',') {
			return nil, false
		}
	}
}

func readLastUsed(b []byte, rec *lastUsedRecord) bool {
	r := recordReader{b: b}
	var fields uint32
	ok := r.object(func(name []byte) bool {
		var ok bool
		switch string(name) {
		case "v":
			var v int64
			v, ok = r.int()
			rec.V = int(v)
			return ok && seen(&fields, 1<<0)
		case "at":
			var s []byte
			s, ok = r.quoted()
			return ok && rec.At.UnmarshalJSON(s) == nil && seen(&fields, 1<<1)
		case "from":
			rec.From, ok = r.text()
			return ok && seen(&fields, 1<<2)
		case "refusedAt":
			var s []byte
			s, ok = r.quoted()
			return ok && rec.RefusedAt.UnmarshalJSON(s) == nil && seen(&fields, 1<<3)
		case "refusedFrom":
			rec.RefusedFrom, ok = r.text()
			return ok && seen(&fields, 1<<4)
		}
		return false
	})
	return ok && r.end()
}

// text returns a string value as a Go string.
func (r *recordReader) text() (string, bool) {
	s, ok := r.str()
	return string(s), ok
}
