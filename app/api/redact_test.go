package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"keyward/data"
)

// TestNoKeyEchoed feeds real keys, whole and in the forms a client may
// mangle them into, to every error path of the API that takes client
// text: the path, the query, the method, the body's field names and
// values, and the headers. No answer may repeat a key, nor the characters
// after its prefix, in its body or any header.
func TestNoKeyEchoed(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	userKey, err := data.NewUserKey()
	must(t, err)
	accountKey, err := data.NewAccountKey()
	must(t, err)
	owner, logs := f.creds(f.owner0().key), f.creds(f.roles[2].key)
	member := fmt.Sprintf("/v1/users/%d", f.member.ID)

	for _, key := range []string{userKey, accountKey, f.owner0().key, f.accountKey} {
		variants := []string{
			key,
			key[:len(key)-1] + flip(key[len(key)-1]), // a wrong checksum
			key[:20],                                 // cut short
			key + "xyz",                              // run on
		}
		for _, k := range variants {
			escaped := "%" + fmt.Sprintf("%02X", k[0]) + k[1:] // the path and query as a client may escape them
			cases := []request{
				{method: "GET", path: "/v1/" + k, header: owner},
				{method: "GET", path: "/v1/" + escaped, header: owner},
				{method: "GET", path: "/v1/" + k + "/more", header: owner},
				{method: "GET", path: "/" + k, header: owner},
				{method: "GET", path: "/v1/users/" + k, header: owner},
				{method: "GET", path: "/v1/users/" + escaped, header: owner},
				{method: "GET", path: "/v1/users/" + k, header: logs}, // 403 before the id is read
				{method: "PUT", path: "/v1/users/" + k, body: `{"name": "X"}`, header: owner},
				{method: "DELETE", path: "/v1/users/" + k, header: owner},
				{method: "GET", path: "/v1/tasks/" + k, header: owner},
				{method: "PATCH", path: "/v1/users/" + k, header: owner},
				{method: k, path: "/v1/users", header: owner},
				{method: k, path: "/v1/" + k, header: owner},
				{method: "GET", path: "/v1//" + k, header: owner},
				{method: "GET", path: "/v1//users/" + escaped, header: owner},
				{method: "GET", path: "/v1/./logs?limit=" + k + "&" + k + "=1&x=" + escaped, header: owner},
				{method: "GET", path: "/v1", header: owner},
				{method: "PUT", path: member, body: `{"` + k + `": "X"}`, header: owner},
				{method: "PUT", path: member, body: `{"name": "` + k + `"}`, header: owner},
				{method: "PUT", path: member, body: `{"name": " ` + k + ` "}`, header: owner},
				{method: "PUT", path: member, body: `{"name": "X", "role": "` + k + `"}`, header: owner},
				{method: "PUT", path: member, body: `{"name": "X", "userId": "` + k + `"}`, header: owner},
				{method: "PUT", path: member, body: `{"name": ` + k + `}`, header: owner},
				{method: "PUT", path: member, body: `["` + k + `"]`, header: owner},
				{method: "PUT", path: member, body: `{"name": "X"} "` + k + `"`, header: owner},
				{method: "PUT", path: "/v1/users/" + k, body: `{"` + k + `": "` + k + `"}`, header: owner},
				{method: "GET", path: "/v1/session-logs?startTime=" + k + "&endTime=" + escaped, header: owner},
				// The answers that show what the requests above stored.
				{method: "GET", path: "/v1/users", header: owner},
				{method: "GET", path: member, header: owner},
				{method: "GET", path: "/v1/logs?limit=5", header: owner},
			}
			for _, param := range []string{"offset", "limit", "startTime", "endTime", "resourceId", k} {
				cases = append(cases, request{method: "GET", path: "/v1/logs?" + param + "=" + k, header: owner},
					request{method: "GET", path: "/v1/logs?" + url.QueryEscape(param) + "=" + escaped, header: owner})
			}
			for _, h := range []map[string]string{
				{"x-api-key": k, "x-api-secret-key": f.owner0().key},
				{"x-api-key": f.accountKey, "x-api-secret-key": k},
				{"x-api-key": k, "x-api-secret-key": k},
				{"x-api-key": k},
				{"x-api-secret-key": k},
				{"x-api-key": f.accountKey, "x-api-secret-key": "Bearer " + k},
			} {
				cases = append(cases, request{method: "GET", path: "/v1/users/" + k, header: h})
			}
			forwarded := f.creds(f.owner0().key)
			forwarded["X-Forwarded-For"] = k
			cases = append(cases, request{method: "GET", path: "/v1/", header: forwarded, peer: trustedProxy})
			restricted := f.creds(f.owner0().restricted)
			restricted["X-Forwarded-For"] = outsideAddr + ", " + k
			cases = append(cases, request{method: "GET", path: "/v1/", header: restricted, peer: trustedProxy})

			for _, r := range cases {
				f.clock.Advance(10e9) // keep the rate limits out of the way
				w := f.do(r)
				if w.Code >= 500 {
					t.Errorf("%s %s %s: %d %s", r.method, r.path, r.body, w.Code, w.Body)
					continue
				}
				if w.Code >= 300 {
					checkErrorBody(t, f, w.Body.Bytes(), w.Code)
				}
				if leak := echoes(w, k); leak != "" {
					t.Errorf("%s %s %s %v: the answer repeats the key in %s", r.method, r.path, r.body, r.header, leak)
				}
			}
		}
	}
}

// TestStoredKeyFormsAreRedacted: a name stored with the form of a key
// (a run too short for data to refuse it as a pasted key, long enough for
// data.Redact) is shown by its hint in every answer, the cached GET /v1/
// too.
func TestStoredKeyFormsAreRedacted(t *testing.T) {
	f := newFixture(t, Config{})
	c := loadContract(t)
	real, err := data.NewUserKey()
	must(t, err)
	keyLike := real[:4+12]
	if data.Redact(keyLike) == keyLike {
		t.Fatalf("data.Redact leaves %q as it is", keyLike)
	}
	k, secret, err := f.store.CreateUserKey(data.CommandLine, keyLike, f.owner.ID)
	must(t, err)
	if k.Name != keyLike {
		t.Fatalf("the key is named %q", k.Name)
	}
	_, err = f.store.UpdateUser(data.CommandLine, f.member.ID, data.UserChange{Name: &keyLike})
	must(t, err)
	header := f.creds(secret)
	for _, path := range []string{"/v1/", "/v1/", "/v1/users", fmt.Sprintf("/v1/users/%d", f.member.ID), "/v1/logs"} {
		r := request{method: "GET", path: path, header: header}
		w := f.do(r)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		c.check(t, r, w)
		if leak := echoes(w, keyLike); leak != "" || !strings.Contains(w.Body.String(), data.KeyHint(keyLike)) {
			t.Errorf("%s: %s %s", path, leak, w.Body)
		}
	}
}

// echoes says where in w the key, or the characters after its prefix,
// appear, or "".
func echoes(w *httptest.ResponseRecorder, key string) string {
	secrets := []string{key, key[4:]}
	for _, s := range secrets {
		if strings.Contains(w.Body.String(), s) {
			return "the body: " + w.Body.String()
		}
		for name, values := range w.Header() {
			for _, v := range values {
				if strings.Contains(v, s) || strings.Contains(name, s) {
					return "the header " + name + ": " + v
				}
				if u, err := url.QueryUnescape(v); err == nil && strings.Contains(u, s) {
					return "the header " + name + ", unescaped: " + u
				}
			}
		}
	}
	return ""
}

// flip changes a base62 character into another.
func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

// TestWriteErrorRedacts: whatever an error message holds, the answer does
// not repeat a key, and the error passed in is left as it was.
func TestWriteErrorRedacts(t *testing.T) {
	key, err := data.NewUserKey()
	must(t, err)
	e := &apiError{Status: http.StatusBadRequest, Code: "BAD_REQUEST", Message: "The value " + key + " is wrong."}
	before := *e
	w := httptest.NewRecorder()
	writeError(w, e)
	if leak := echoes(w, key); leak != "" || !strings.Contains(w.Body.String(), data.KeyHint(key)) || !json.Valid(w.Body.Bytes()) {
		t.Fatalf("%s %s", leak, w.Body)
	}
	if *e != before {
		t.Fatalf("writeError changed the error it was given: %+v", *e)
	}
}
