package data

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The exports of the key list and the system log: the JSON the CLI's
// --json prints and the console's Export writes, and the same rows as
// CSV for a spreadsheet. A key's export holds its metadata only: the
// hint, never a value or a hash.

// KeyExport is one key as exported.
type KeyExport struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	User         string       `json:"user"`
	UserEmail    string       `json:"userEmail"`
	Status       string       `json:"status"`
	Active       bool         `json:"active"` // status is active
	Hint         string       `json:"hint"`
	Description  string       `json:"description,omitempty"`
	AllowList    []RuleExport `json:"allowList"`
	CreatedAt    time.Time    `json:"createdAt"`
	CreatedBy    string       `json:"createdBy"`
	LastUsedAt   *time.Time   `json:"lastUsedAt"`
	LastUsedFrom string       `json:"lastUsedFrom,omitempty"`
	ExpiresAt    *time.Time   `json:"expiresAt"`            // null: never
	GraceUntil   *time.Time   `json:"graceUntil,omitempty"` // while a rolled key's old value works
	DisabledAt   *time.Time   `json:"disabledAt,omitempty"`
	DisabledBy   string       `json:"disabledBy,omitempty"`
}

// RuleExport is one CIDR rule as exported.
type RuleExport struct {
	ID        string    `json:"id"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ExportRule returns r as exported.
func ExportRule(r CIDRRule) RuleExport {
	return RuleExport{r.ID.String(), r.Prefix.String(), r.CreatedAt, r.UpdatedAt}
}

// ExportRules returns the rules of l as exported.
func ExportRules(l AllowList) []RuleExport {
	out := make([]RuleExport, len(l))
	for i, r := range l {
		out[i] = ExportRule(r)
	}
	return out
}

// ExportKey returns k as exported.
func ExportKey(k UserKey) KeyExport {
	out := KeyExport{ID: k.ID.String(), Name: k.Name, User: k.UserName, UserEmail: k.UserEmail,
		Status: string(k.Status), Active: k.Status == KeyActive, Hint: k.Hint, Description: k.Description,
		AllowList: ExportRules(k.AllowList), CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		out.LastUsedAt, out.LastUsedFrom = &t, k.LastUsedFrom.String()
	}
	out.ExpiresAt, out.GraceUntil, out.DisabledAt = TimeOrNil(k.ExpiresAt), TimeOrNil(k.GraceUntil), TimeOrNil(k.DisabledAt)
	out.DisabledBy = k.DisabledBy
	return out
}

// AppendKeyJSON appends ExportKey(k) to b as json.MarshalIndent(ExportKey(k),
// prefix, indent) writes it, byte for byte, but without reflection or a
// copy of the key: 'keys list --json' writes 100,000 of them, and
// encoding/json took two thirds of its time. A test and a fuzz target hold
// the two to the same bytes; a field added to KeyExport fails them until
// it is written here too. It fails where encoding/json fails, on a time
// that RFC 3339 cannot write (a year past 9999), with a message of its
// own.
func AppendKeyJSON(b []byte, k UserKey, prefix, indent string) ([]byte, error) {
	w := jsonIndented{b: b, prefix: prefix, indent: indent}
	w.open('{')
	w.name("id")
	w.uuid(k.ID)
	w.text("name", k.Name)
	w.text("user", k.UserName)
	w.text("userEmail", k.UserEmail)
	w.text("status", string(k.Status))
	w.name("active")
	w.b = strconv.AppendBool(w.b, k.Status == KeyActive)
	w.text("hint", k.Hint)
	w.textOmitEmpty("description", k.Description)
	w.name("allowList")
	w.open('[')
	for _, r := range k.AllowList {
		w.element()
		w.open('{')
		w.name("id")
		w.uuid(r.ID)
		w.text("prefix", r.Prefix.String())
		w.stamp("createdAt", r.CreatedAt)
		w.stamp("updatedAt", r.UpdatedAt)
		w.close('}')
	}
	w.close(']')
	w.stamp("createdAt", k.CreatedAt)
	w.text("createdBy", k.CreatedBy)
	w.name("lastUsedAt")
	w.timeOrNull(k.LastUsedAt)
	if !k.LastUsedAt.IsZero() {
		w.textOmitEmpty("lastUsedFrom", k.LastUsedFrom.String())
	}
	w.name("expiresAt")
	w.timeOrNull(k.ExpiresAt)
	if !k.GraceUntil.IsZero() {
		w.stamp("graceUntil", k.GraceUntil)
	}
	if !k.DisabledAt.IsZero() {
		w.stamp("disabledAt", k.DisabledAt)
	}
	w.textOmitEmpty("disabledBy", k.DisabledBy)
	w.close('}')
	return w.b, w.err
}

// jsonIndented appends JSON laid out as json.MarshalIndent lays it out:
// each member or element on a line of its own, prefix and one indent a
// level before it, and an empty object or array as {} or [].
type jsonIndented struct {
	b              []byte
	prefix, indent string
	depth          int
	more           bool // the innermost object or array has a member already
	err            error
}

func (w *jsonIndented) line() {
	w.b = append(w.b, '\n')
	w.b = append(w.b, w.prefix...)
	for range w.depth {
		w.b = append(w.b, w.indent...)
	}
}

func (w *jsonIndented) open(c byte) {
	w.b = append(w.b, c)
	w.depth, w.more = w.depth+1, false
}

// close ends the innermost object or array, itself a member of the one
// around it.
func (w *jsonIndented) close(c byte) {
	w.depth--
	if w.more {
		w.line()
	}
	w.b = append(w.b, c)
	w.more = true
}

// element starts an element of an array.
func (w *jsonIndented) element() {
	if w.more {
		w.b = append(w.b, ',')
	}
	w.more = true
	w.line()
}

// name starts a member of an object.
func (w *jsonIndented) name(s string) {
	w.element()
	w.str(s)
	w.b = append(w.b, ':', ' ')
}

// text writes a member whose value is the string v.
func (w *jsonIndented) text(name, v string) {
	w.name(name)
	w.str(v)
}

// textOmitEmpty is text but for an empty v, which it leaves out, as
// ",omitempty" does.
func (w *jsonIndented) textOmitEmpty(name, v string) {
	if v != "" {
		w.text(name, v)
	}
}

// stamp writes a member whose value is the time t.
func (w *jsonIndented) stamp(name string, t time.Time) {
	w.name(name)
	w.time(t)
}

const hexDigits = "0123456789abcdef"

func (w *jsonIndented) uuid(id uuid.UUID) {
	w.b = append(w.b, '"')
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			w.b = append(w.b, '-')
		}
		w.b = append(w.b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	w.b = append(w.b, '"')
}

// time appends t as time.Time's MarshalJSON writes it, or records its
// error.
func (w *jsonIndented) time(t time.Time) {
	w.b = append(w.b, '"')
	n := len(w.b)
	w.b = append(t.AppendFormat(w.b, time.RFC3339Nano), '"')
	text := w.b[n : len(w.b)-1]
	switch {
	case len(text) < len("2006-01-02T15:04:05Z") || text[4] != '-':
		w.fail("year outside of range [0,9999]")
	case text[len(text)-1] != 'Z':
		zone := text[len(text)-len("Z07:00"):]
		if ('0' <= zone[0] && zone[0] <= '9') || (zone[1]-'0')*10+(zone[2]-'0') >= 24 {
			w.fail("timezone hour outside of range [0,23]")
		}
	}
}

func (w *jsonIndented) fail(reason string) {
	if w.err == nil {
		w.err = fmt.Errorf("json: Time.MarshalJSON: %s", reason)
	}
}

func (w *jsonIndented) timeOrNull(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, "null"...)
		return
	}
	w.time(t)
}

// str appends s quoted as encoding/json quotes a string: <, > and & as
// \u escapes (its default), the controls, \u2028 and \u2029 escaped, and
// a byte that is not UTF-8 as \ufffd.
func (w *jsonIndented) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	w.b = append(append(b, s[start:]...), '"')
}

// TimeOrNil is t for JSON: null when it is zero.
func TimeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ExportFormat is a file format of the exports.
type ExportFormat string

// The export formats.
const (
	ExportCSV  ExportFormat = "csv"
	ExportJSON ExportFormat = "json"
)

// ExportFormatOf is the format a file name's extension asks for: CSV for
// a name without one.
func ExportFormatOf(name string) (ExportFormat, error) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"), !strings.Contains(lower, "."):
		return ExportCSV, nil
	case strings.HasSuffix(lower, ".json"):
		return ExportJSON, nil
	}
	return "", Errorf(EInvalid, "%s ends in neither .csv nor .json: name the file so, for the format you want.", Quote(name))
}

// WriteKeys writes keys to w in format f.
func WriteKeys(w io.Writer, f ExportFormat, keys []UserKey) error {
	if f == ExportJSON {
		out := make([]KeyExport, len(keys))
		for i, k := range keys {
			out[i] = ExportKey(k)
		}
		return writeJSON(w, out)
	}
	rows := [][]string{{"name", "user", "userEmail", "status", "hint", "description", "allowList", "createdAt", "createdBy",
		"lastUsedAt", "lastUsedFrom", "expiresAt", "graceUntil", "disabledAt", "disabledBy", "id"}}
	for _, k := range keys {
		e := ExportKey(k)
		rows = append(rows, []string{e.Name, e.User, e.UserEmail, e.Status, e.Hint, e.Description,
			strings.Join(k.AllowList.Strings(), " "), csvTime(&e.CreatedAt), e.CreatedBy,
			csvTime(e.LastUsedAt), e.LastUsedFrom, csvTime(e.ExpiresAt), csvTime(e.GraceUntil), csvTime(e.DisabledAt), e.DisabledBy, e.ID})
	}
	return writeCSV(w, rows)
}

// WriteSystemLog writes entries to w in format f.
func WriteSystemLog(w io.Writer, f ExportFormat, entries []SystemLogEntry) error {
	if f == ExportJSON {
		if entries == nil {
			entries = []SystemLogEntry{}
		}
		return writeJSON(w, entries)
	}
	rows := [][]string{{"id", "time", "originator", "apiKeyName", "resource", "resourceId", "type", "description"}}
	for _, e := range entries {
		rows = append(rows, []string{strconv.FormatInt(e.ID, 10), csvTime(&e.Time), e.Originator, e.APIKeyName,
			e.Resource, strconv.FormatInt(e.ResourceID, 10), e.Type, e.Description})
	}
	return writeCSV(w, rows)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write the export: %w", err)
	}
	return nil
}

// writeCSV writes rows, each cell that a spreadsheet would take for a
// formula (=, +, -, @ first) led by an apostrophe: a user's name such as
// =HYPERLINK(…) is shown, never run.
func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for i, row := range rows {
		if i > 0 {
			for j, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					row[j] = "'" + cell
				}
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write the export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write the export: %w", err)
	}
	return nil
}

// csvTime is t in RFC 3339, UTC; "" for none.
func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
