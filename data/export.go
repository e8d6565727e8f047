package data

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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
