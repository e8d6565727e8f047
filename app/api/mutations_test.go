package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/backendtest"
)

func errorMessage(t *testing.T, w *httptest.ResponseRecorder) string {
	var e apiError
	decodeBody(t, w, &e)
	return e.Message
}

type taskAnswer struct {
	TaskID      string `json:"taskId"`
	CommandType string `json:"commandType"`
	Status      string `json:"status"`
	Response    struct {
		ResourceID     int64  `json:"resourceId"`
		Error          string `json:"error"`
		AdditionalInfo string `json:"additionalInfo"`
	} `json:"response"`
}

func TestPutUser(t *testing.T) {
	f := newFixture(t, Config{})
	c := loadContract(t)
	owner := f.creds(f.owner0().key)
	path := fmt.Sprintf("/v1/users/%d", f.member.ID)
	r := request{method: "PUT", path: path, body: `{"name":"Maxine Member","role":"viewer","userId":99,"commandType":"x"}`, header: owner}
	w := f.do(r)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	c.check(t, r, w)
	var task taskAnswer
	decodeBody(t, w, &task)
	if task.Status != data.TaskCompleted || task.CommandType != "userUpdateRequest" || task.Response.ResourceID != f.member.ID {
		t.Fatalf("task = %+v", task)
	}
	u, _ := f.store.User(f.member.ID)
	if u.Name != "Maxine Member" || u.Role != data.RoleViewer {
		t.Fatalf("user = %+v", u)
	}
	log, _ := f.store.SystemLog(data.LogQuery{Limit: 1})
	if log[0].APIKeyName != "owner-open-key" || log[0].Originator != "Ada Owner" || log[0].Type != data.EventUserChanged {
		t.Fatalf("log entry = %+v", log[0])
	}
	// The task can be read back, alone and in the list.
	tr := request{method: "GET", path: "/v1/tasks/" + task.TaskID, header: owner}
	w = f.do(tr)
	c.check(t, tr, w)
	var again taskAnswer
	decodeBody(t, w, &again)
	if again != task {
		t.Fatalf("read back %+v, want %+v", again, task)
	}
	lr := request{method: "GET", path: "/v1/tasks", header: owner}
	w = f.do(lr)
	c.check(t, lr, w)
	if !strings.Contains(w.Body.String(), task.TaskID) {
		t.Fatalf("the task list lacks the task: %s", w.Body)
	}
}

func TestPutAndDeleteRefusals(t *testing.T) {
	f := newFixture(t, Config{})
	c := loadContract(t)
	owner := f.creds(f.owner0().key)
	self := fmt.Sprintf("/v1/users/%d", f.owner.ID)
	member := fmt.Sprintf("/v1/users/%d", f.member.ID)
	before, _ := f.store.SystemLog(data.LogQuery{Limit: 1})
	tests := []struct {
		method, path, body string
		status             int
		message            string // in the error message, or the task's additionalInfo
		taskError          string
	}{
		{"PUT", member, `{"name": "X", "role": "Admin"}`, 400, "Unknown role \"Admin\"", ""},
		{"PUT", member, `{"role": "Viewer"}`, 400, `needs "name"`, ""},
		{"PUT", member, `{"name": ""}`, 400, "Enter a name", ""},
		{"PUT", member, `{"name": 7}`, 400, `"name" must be a string, not a number.`, ""},
		{"PUT", member, `{"name": "X"`, 400, "not the JSON object AccountUserUpdateRequest", ""},
		{"PUT", member, ``, 400, "the body is empty", ""},
		{"PUT", member, `{"name": "X"} {"name": "Y"}`, 400, "more than one JSON value", ""},
		{"PUT", member, `{"name": "` + strings.Repeat("x", maxBody) + `"}`, 400, "larger than", ""},
		{"PUT", "/v1/users/9999", `{"name": "Nobody"}`, 404, "no user with id 9999", ""},
		{"PUT", "/v1/users/abc", `{"name": "Nobody"}`, 400, `"abc" is not a number`, ""},
		{"PUT", "/v1/users/99999999999", `{"name": "Nobody"}`, 400, `"99999999999" is out of range`, ""},
		{"PUT", self, `{"name": "Ada Owner", "role": "Viewer"}`, 200, "cannot change your own role", "USER_CANNOT_UPDATE_IT_IS_OWN_ROLE"},
		{"DELETE", self, ``, 200, "cannot delete your own user", "USER_CANNOT_DELETE_OWN_USER"},
		{"DELETE", "/v1/users/9999", ``, 404, "no user with id 9999", ""},
		{"DELETE", "/v1/users/0", ``, 400, `"0" is not positive`, ""},
		{"GET", "/v1/tasks/not-a-uuid", ``, 400, "is not a UUID", ""},
		{"GET", "/v1/tasks/6f1c8e8e-2b1f-4c1e-9d6e-0a1b2c3d4e5f", ``, 404, "There is no task", ""},
		{"PATCH", member, ``, 405, `/v1/users/{userId} does not take "PATCH"; it takes GET, PUT, DELETE.`, ""},
		{"GET", "/v2/users", ``, 404, "There is no endpoint", ""},
	}
	for _, tt := range tests {
		r := request{method: tt.method, path: tt.path, body: tt.body, header: owner}
		w := f.do(r)
		if w.Code != tt.status {
			t.Errorf("%s %s %.40s: status %d, want %d: %s", tt.method, tt.path, tt.body, w.Code, tt.status, w.Body)
			continue
		}
		if tt.status != 200 {
			checkErrorBody(t, f, w.Body.Bytes(), tt.status)
			if msg := errorMessage(t, w); !strings.Contains(msg, tt.message) {
				t.Errorf("%s %s: %q, want %q", tt.method, tt.path, msg, tt.message)
			}
			continue
		}
		c.check(t, r, w)
		var task taskAnswer
		decodeBody(t, w, &task)
		if task.Status != data.TaskFailed || task.Response.Error != tt.taskError || !strings.Contains(task.Response.AdditionalInfo, tt.message) {
			t.Errorf("%s %s: task %+v", tt.method, tt.path, task)
		}
	}
	if after, _ := f.store.SystemLog(data.LogQuery{Limit: 1}); after[0].ID != before[0].ID {
		t.Fatalf("a refused change was logged: %+v", after[0])
	}
}

func TestDeleteUserThroughAPI(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.creds(f.owner0().key)
	viewer := f.viewer0()
	w := f.do(request{method: "DELETE", path: fmt.Sprintf("/v1/users/%d", viewer.user.ID), header: owner})
	var task taskAnswer
	decodeBody(t, w, &task)
	if w.Code != 200 || task.Status != data.TaskCompleted || task.CommandType != "userDeleteRequest" {
		t.Fatalf("%d %+v", w.Code, task)
	}
	// The deleted user's keys stop working at once.
	if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(viewer.key)}); w.Code != http.StatusUnauthorized {
		t.Fatalf("a deleted user's key: %d", w.Code)
	}
	log, _ := f.store.SystemLog(data.LogQuery{Limit: 1})
	if log[0].Type != data.EventUserDeleted || log[0].APIKeyName != "owner-open-key" {
		t.Fatalf("log = %+v", log[0])
	}
}

func TestLogQueries(t *testing.T) {
	f := newFixture(t, Config{})
	c := loadContract(t)
	logs := f.creds(f.roles[2].key) // a Logs Viewer
	owner := f.creds(f.owner0().key)
	_, err := f.store.SignIn("ada@example.com", ownerPassword, data.SessionClient{UserAgent: "test", IPAddress: "local"})
	must(t, err)
	tests := []struct {
		path    string
		header  map[string]string
		status  int
		entries int // -1: any
		message string
	}{
		{"/v1/logs", logs, 200, -1, ""},
		{"/v1/logs?limit=2", logs, 200, 2, ""},
		{"/v1/logs?limit=1000&offset=1000000", logs, 200, 0, ""},
		{fmt.Sprintf("/v1/logs?resourceId=%d", f.member.ID), logs, 200, 1, ""},
		{"/v1/logs?startTime=2026-11-27T09:00:00Z&endTime=2026-11-27T09:00:00Z", logs, 200, -1, ""},
		{"/v1/logs?startTime=2027-01-01T00:00:00Z", logs, 200, 0, ""},
		{"/v1/logs?limit=0", logs, 400, 0, "limit parameter must be an integer from 1 to 1000"},
		{"/v1/logs?limit=1001", logs, 400, 0, "from 1 to 1000"},
		{"/v1/logs?limit=", logs, 400, 0, "limit parameter"},
		{"/v1/logs?offset=-1", logs, 400, 0, "offset parameter"},
		{"/v1/logs?offset=x", logs, 400, 0, "offset parameter"},
		{"/v1/logs?resourceId=0", logs, 400, 0, "resourceId parameter"},
		{"/v1/logs?startTime=yesterday", logs, 400, 0, "startTime parameter must be an RFC 3339 time"},
		{"/v1/logs?endTime=2026-11-27", logs, 400, 0, "endTime parameter"},
		{"/v1/logs?startTime=2026-11-28T00:00:00Z&endTime=2026-11-27T00:00:00Z", logs, 400, 0, "endTime parameter is before startTime"},
		{"/v1/session-logs", owner, 200, 1, ""},
		{"/v1/session-logs?limit=100", owner, 200, 1, ""},
		{"/v1/session-logs?limit=101", owner, 400, 0, "from 1 to 100"},
		{"/v1/session-logs", logs, 403, 0, "may not GET /v1/session-logs"},
	}
	for _, tt := range tests {
		r := request{method: "GET", path: tt.path, header: tt.header}
		w := f.do(r)
		if w.Code != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.path, w.Code, tt.status, w.Body)
			continue
		}
		if w.Code != 200 {
			if !strings.Contains(errorMessage(t, w), tt.message) {
				t.Errorf("%s: %s, want %q", tt.path, w.Body, tt.message)
			}
			continue
		}
		c.check(t, r, w)
		var body struct{ Entries []map[string]any }
		decodeBody(t, w, &body)
		if tt.entries >= 0 && len(body.Entries) != tt.entries {
			t.Errorf("%s: %d entries, want %d", tt.path, len(body.Entries), tt.entries)
		}
	}
}

func TestV1WithoutSlashRedirects(t *testing.T) {
	f := newFixture(t, Config{})
	w := f.do(request{method: "GET", path: "/v1", header: f.creds(f.owner0().key)})
	if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != "/v1/" {
		t.Fatalf("GET /v1: %d, Location %q", w.Code, w.Header().Get("Location"))
	}
}

// TestStrictBodies: an AccountUserUpdateRequest is read as the OpenAPI
// document spells it: exact field names, each once, each of its type;
// anything else is a 400 that names the field and no Go type, and
// changes nothing.
func TestStrictBodies(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.creds(f.owner0().key)
	path := fmt.Sprintf("/v1/users/%d", f.member.ID)
	tests := []struct {
		body    string
		message string
	}{
		{`{"NAME": "Mallory", "ROLE": "Owner"}`, `has no field "NAME": field names are case-sensitive, so write "name".`},
		{`{"name": "Mallory", "Role": "Owner"}`, `has no field "Role": field names are case-sensitive, so write "role".`},
		{`{"name": "Mallory", "email": "m@example.com"}`, `has no field "email"; its fields are "name", "role", "userId", "commandType".`},
		{`{"name": "Mallory", "": 1}`, `has no field ""`},
		{`{"name": "Mallory", "name": "Max Member"}`, `gives "name" more than once.`},
		{`{"name": "Mallory", "n\u0061me": "Max Member"}`, `gives "name" more than once.`},
		{`{"role": "Viewer", "name": "Mallory", "role": "Owner"}`, `gives "role" more than once.`},
		{`{"name": 7}`, `"name" must be a string, not a number.`},
		{`{"name": null}`, `"name" must be a string, not null.`},
		{`{"name": {"first": "M"}}`, `"name" must be a string, not an object.`},
		{`{"name": "Mallory", "role": ["Owner"]}`, `"role" must be a string, not an array.`},
		{`{"name": "Mallory", "role": true}`, `"role" must be a string, not a boolean.`},
		{`{"name": "Mallory", "userId": "2"}`, `"userId" must be an integer, not a string.`},
		{`{"name": "Mallory", "userId": 2.5}`, `"userId" must be an integer from -2147483648 to 2147483647.`},
		{`{"name": "Mallory", "userId": 2147483648}`, `"userId" must be an integer from -2147483648 to 2147483647.`},
		{`{"name": "Mallory", "commandType": 1}`, `"commandType" must be a string, not a number.`},
		{`{}`, `needs "name".`},
		{`{"role": "Viewer"}`, `needs "name".`},
		{`[{"name": "Mallory"}]`, `is not the JSON object AccountUserUpdateRequest: it is an array, not an object.`},
		{` "Mallory"`, `it is a string, not an object.`},
		{`null`, `it is null, not an object.`},
		{`42`, `it is a number, not an object.`},
		{`{"name": "Mallory",}`, `invalid JSON at byte 20.`},
		{`{"name" "Mallory"}`, `invalid JSON at byte`},
		{`{name: "Mallory"}`, `invalid JSON at byte 2.`},
		{`{"name": "Mallory"`, `the body ends before the object does.`},
		{`{"name": "Mallory",`, `the body ends before the object does.`},
		{`{"name": "Mall`, `the body ends before the object does.`},
		{`{"name"`, `the body ends before the object does.`},
		{``, `the body is empty.`},
		{" \n\t", `the body is empty.`},
		{`{"name": "Mallory"} {"name": "Eve"}`, `more than one JSON value.`},
		{`{"name": "Mallory"} x`, `more than one JSON value.`},
	}
	for _, tt := range tests {
		w := f.do(request{method: "PUT", path: path, body: tt.body, header: owner})
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", tt.body, w.Code, w.Body)
			continue
		}
		checkErrorBody(t, f, w.Body.Bytes(), http.StatusBadRequest)
		msg := errorMessage(t, w)
		if !strings.Contains(msg, tt.message) {
			t.Errorf("%s: %q, want %q", tt.body, msg, tt.message)
		}
		for _, goName := range []string{"api.", "userUpdate", "json.", "struct", "*string", "int64", "[]"} {
			if strings.Contains(msg, goName) {
				t.Errorf("%s: the message names a Go type: %q", tt.body, msg)
			}
		}
	}
	if u, _ := f.store.User(f.member.ID); u.Name != f.member.Name || u.Role != data.RoleMember {
		t.Fatalf("a refused body changed the user: %+v", u)
	}
	// The read-only fields of the document are taken, and ignored.
	w := f.do(request{method: "PUT", path: path, body: `{"userId": 1, "commandType": "x", "name": "Maxine", "role": "Viewer"}`, header: owner})
	if u, _ := f.store.User(f.member.ID); w.Code != 200 || u.Name != "Maxine" || u.Role != data.RoleViewer {
		t.Fatalf("%d %s, user %+v", w.Code, w.Body, u)
	}
}

// TestIDs: a path id that is not a number, not positive or out of range
// says which.
func TestIDs(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.creds(f.owner0().key)
	tests := []struct {
		id      string
		status  int
		message string
	}{
		{"abc", 400, `The user id "abc" is not a number`},
		{"1.5", 400, "is not a number"},
		{"0x10", 400, "is not a number"},
		{"%20", 400, `The user id " " is not a number`},
		{"0", 400, `The user id "0" is not positive: user ids start at 1.`},
		{"-3", 400, `"-3" is not positive`},
		{"2147483648", 400, `The user id "2147483648" is out of range: user ids go from 1 to 2147483647.`},
		{"99999999999999999999999999", 400, "is out of range"},
		{"-2147483649", 400, "is out of range"},
		{"2147483647", 404, "There is no user with id 2147483647"},
	}
	for _, tt := range tests {
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			w := f.do(request{method: method, path: "/v1/users/" + tt.id, body: `{"name": "X"}`, header: owner})
			if w.Code != tt.status || !strings.Contains(errorMessage(t, w), tt.message) {
				t.Errorf("%s /v1/users/%s: %d %s, want %d %q", method, tt.id, w.Code, w.Body, tt.status, tt.message)
			}
		}
	}
}

// TestRedirects: /v1 and unclean paths are redirected with a JSON body
// under the JSON content type, to where the request gets its answer.
func TestRedirects(t *testing.T) {
	f := newFixture(t, Config{})
	owner := f.creds(f.owner0().key)
	tests := []struct {
		path, location string
	}{
		{"/v1", "/v1/"},
		{"/v1?x=1", "/v1/"},
		{"/v1//", "/v1/"},
		{"/v1//users", "/v1/users"},
		{"/v1/./users/", "/v1/users/"},
		{"/v1/tasks/../users", "/v1/users"},
		{"/v1/./logs?limit=5&offset=1", "/v1/logs?limit=5&offset=1"},
		{"//v1/session-logs?limit=2", "/v1/session-logs?limit=2"},
		{"/v1/%2e/users", "/v1/users"},
	}
	for _, tt := range tests {
		w := f.do(request{method: "GET", path: tt.path, header: owner})
		if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != tt.location ||
			w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d, Location %q, %v", tt.path, w.Code, w.Header().Get("Location"), w.Header())
			continue
		}
		checkErrorBody(t, f, w.Body.Bytes(), http.StatusTemporaryRedirect)
		if code := errorCode(t, w); code != "REDIRECT" {
			t.Errorf("%s: code %s", tt.path, code)
		}
		if w := f.do(request{method: "GET", path: tt.location, header: owner}); w.Code != 200 && w.Code != 404 {
			t.Errorf("%s: following to %s gives %d %s", tt.path, tt.location, w.Code, w.Body)
		}
	}
	// A redirect keeps the method and the body, and needs valid keys.
	w := f.do(request{method: "PUT", path: fmt.Sprintf("/v1//users/%d", f.member.ID), body: `{"name": "X"}`, header: owner})
	if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != fmt.Sprintf("/v1/users/%d", f.member.ID) {
		t.Errorf("PUT: %d %v", w.Code, w.Header())
	}
	if w := f.do(request{method: "GET", path: "/v1//users"}); w.Code != http.StatusUnauthorized {
		t.Errorf("without keys: %d", w.Code)
	}
}

// TestStorageFailureIs503: once the storage has failed under the store,
// changes are answered 503 STORAGE_UNAVAILABLE, and reads still work.
func TestStorageFailureIs503(t *testing.T) {
	mem := backendtest.NewMemory()
	b, err := mem.Open()
	must(t, err)
	s, err := data.Open(b, data.Options{SealKeyFile: filepath.Join(t.TempDir(), "seal.key"), FlushInterval: time.Hour})
	must(t, err)
	t.Cleanup(func() { s.Close() })
	_, owner, err := s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: ownerPassword})
	must(t, err)
	member, err := s.AddUser(data.CommandLine, data.NewUser{Name: "Max Member", Email: "max@example.com", Role: data.RoleMember})
	must(t, err)
	_, err = s.SetAPIEnabled(data.CommandLine, true)
	must(t, err)
	accountKey, err := s.AccountKey(data.CommandLine, data.ShowAccountKey)
	must(t, err)
	_, key, err := s.CreateUserKey(data.CommandLine, "owner-api-key", owner.ID)
	must(t, err)
	h := newHandler(s, Config{})
	call := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("x-api-key", accountKey)
		req.Header.Set("x-api-secret-key", key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	mem.FailCommits(fmt.Errorf("%w: the disk went away", data.ErrFailed))
	userPath := fmt.Sprintf("/v1/users/%d", member.ID)
	for _, c := range []struct{ method, body string }{{"PUT", `{"name": "Maxine"}`}, {"DELETE", ""}, {"PUT", `{"name": "Max"}`}} {
		w := call(c.method, userPath, c.body)
		var e apiError
		decodeBody(t, w, &e)
		if w.Code != http.StatusServiceUnavailable || e.Status != 503 || e.Code != "STORAGE_UNAVAILABLE" || !strings.HasSuffix(e.Message, ".") ||
			strings.Contains(e.Message, "disk went away") || w.Header().Get("Retry-After") != "" {
			t.Fatalf("%s after the storage failed: %d %s", c.method, w.Code, w.Body)
		}
	}
	if w := call("GET", userPath, ""); w.Code != 200 {
		t.Fatalf("a read after the storage failed: %d %s", w.Code, w.Body)
	}
}
