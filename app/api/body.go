package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"keyward/data"
)

// bodySchema is the schema of a request body as the OpenAPI document
// defines it: its name and properties.
type bodySchema struct {
	name   string
	fields []bodyField
}

// bodyField is a property of a schema: its name as the document spells
// it, the JSON type it takes and whether it is required.
type bodyField struct {
	name     string
	kind     jsonKind
	required bool
}

// jsonKind is a JSON type, as a message names it.
type jsonKind string

const (
	jsonString  jsonKind = "a string"
	jsonInteger jsonKind = "an integer" // an int32, as the document types them
)

// accountUserUpdateRequest is the body of PUT /v1/users/{userId}. userId
// and commandType are read-only there: accepted, checked and ignored.
var accountUserUpdateRequest = bodySchema{"AccountUserUpdateRequest", []bodyField{
	{"name", jsonString, true}, {"role", jsonString, false}, {"userId", jsonInteger, false}, {"commandType", jsonString, false},
}}

// userUpdate is what an AccountUserUpdateRequest asks for.
type userUpdate struct {
	Name string
	Role *string // nil: the role stays as it is
}

// parseUserUpdate reads an AccountUserUpdateRequest strictly (readObject).
func parseUserUpdate(body []byte) (userUpdate, *apiError) {
	var u userUpdate
	err := readObject(body, accountUserUpdateRequest, func(f bodyField, value json.RawMessage) {
		switch f.name { // values readObject checked: Unmarshal cannot fail
		case "name":
			json.Unmarshal(value, &u.Name)
		case "role":
			u.Role = new(string)
			json.Unmarshal(value, u.Role)
		}
	})
	if err != nil {
		return userUpdate{}, err
	}
	return u, nil
}

// readObject reads body as one JSON object of schema and hands each field
// and its value, of the field's type, to set. It refuses, with a message
// that says why, anything else: another JSON value, a field not in the
// schema (names match exactly, as the document spells them), a field
// given twice, a value of another type, a required field missing, invalid
// or truncated JSON, or more after the object. What the client sent is
// repeated only through data.Quote.
func readObject(body []byte, schema bodySchema, set func(f bodyField, value json.RawMessage)) *apiError {
	problem := func(p string) *apiError {
		return badRequest("The request body is not the JSON object " + schema.name + ": " + p)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return problem("the body is empty.")
		}
		return problem(syntaxProblem(body, err))
	}
	if tok != json.Delim('{') {
		return problem("it is " + kindOf(firstByte(body)) + ", not an object.")
	}
	seen := make([]bool, len(schema.fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return problem(syntaxProblem(body, err))
		}
		name := tok.(string) // an object key, or Token would have failed
		i := fieldIndex(schema.fields, name)
		if i < 0 {
			return problem(unknownField(schema.fields, name))
		}
		f := schema.fields[i]
		if seen[i] {
			return problem("it gives " + strconv.Quote(f.name) + " more than once.")
		}
		seen[i] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return problem(syntaxProblem(body, err))
		}
		if !isKind(value, f.kind) {
			return badRequest(strconv.Quote(f.name) + " must be " + kindWanted(f.kind, value) + ".")
		}
		set(f, value)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return problem(syntaxProblem(body, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The request body holds more than one JSON value.")
	}
	for i, f := range schema.fields {
		if f.required && !seen[i] {
			return badRequest("The request body needs " + strconv.Quote(f.name) + ".")
		}
	}
	return nil
}

func fieldIndex(fields []bodyField, name string) int {
	for i, f := range fields {
		if f.name == name {
			return i
		}
	}
	return -1
}

// unknownField says that a schema has no field name, and which it may
// have meant when only the case differs.
func unknownField(fields []bodyField, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return "it has no field " + data.Quote(name) + ": field names are case-sensitive, so write " + strconv.Quote(f.name) + "."
		}
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = strconv.Quote(f.name)
	}
	return "it has no field " + data.Quote(name) + "; its fields are " + strings.Join(names, ", ") + "."
}

// syntaxProblem says what is wrong with the JSON of body, which the
// Decoder failed on with err, in words and without echoing it.
func syntaxProblem(body []byte, err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the body ends before the object does."
	}
	// The Decoder's offsets are not where the fault is; Unmarshal's are,
	// and into a RawMessage it only checks the syntax.
	var syntax *json.SyntaxError
	if errors.As(json.Unmarshal(body, new(json.RawMessage)), &syntax) {
		return "invalid JSON at byte " + strconv.FormatInt(syntax.Offset, 10) + "."
	}
	return "it is not valid JSON."
}

// isKind reports whether a valid JSON value is of kind.
func isKind(value json.RawMessage, kind jsonKind) bool {
	switch kind {
	case jsonString:
		return value[0] == '"'
	case jsonInteger:
		_, err := strconv.ParseInt(string(value), 10, 32)
		return err == nil
	}
	return false
}

// kindWanted says what a value that is not of kind should have been.
func kindWanted(kind jsonKind, value json.RawMessage) string {
	got := kindOf(value[0])
	if kind == jsonInteger && got == "a number" {
		return "an integer from -2147483648 to 2147483647"
	}
	return string(kind) + ", not " + got
}

// kindOf names the JSON type of the value that starts with c.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// firstByte returns the first byte of body that is not JSON white space.
func firstByte(body []byte) byte {
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) == 0 {
		return 0
	}
	return body[0]
}
