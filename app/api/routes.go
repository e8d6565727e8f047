package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"keyward/data"
)

// routes registers the endpoints of SPEC §3 with the access each needs, a
// 405 for other methods on their paths, and a 404 for everything else.
func (h *handler) routes() {
	endpoints := []struct {
		pattern string
		need    data.APIAccess
		serve   func(http.ResponseWriter, *http.Request, *caller) *apiError
	}{
		{"GET /v1/{$}", data.APILogsOnly, h.getAccount},
		{"GET /v1/users", data.APIReadOnly, h.getUsers},
		{"GET /v1/users/{userId}", data.APIReadOnly, h.getUser},
		{"PUT /v1/users/{userId}", data.APIReadWrite, h.putUser},
		{"DELETE /v1/users/{userId}", data.APIReadWrite, h.deleteUser},
		{"GET /v1/tasks", data.APIReadOnly, h.getTasks},
		{"GET /v1/tasks/{taskId}", data.APIReadOnly, h.getTask},
		{"GET /v1/logs", data.APILogsOnly, h.getLogs},
		{"GET /v1/session-logs", data.APIReadOnly, h.getSessionLogs},
	}
	allowed := map[string][]string{} // methods by path
	var paths []string
	for _, e := range endpoints {
		h.mux.Handle(e.pattern, route(e.pattern, e.need, e.serve))
		method, at, _ := strings.Cut(e.pattern, " ")
		if allowed[at] == nil {
			paths = append(paths, at)
		}
		allowed[at] = append(allowed[at], method)
	}
	for _, at := range paths {
		allow := strings.Join(allowed[at], ", ")
		h.mux.HandleFunc(at, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Code: "METHOD_NOT_ALLOWED",
				Message: endpointName(at) + " does not take " + data.Quote(r.Method) + "; it takes " + allow + "."})
		})
	}
	h.mux.HandleFunc("/v1", func(w http.ResponseWriter, r *http.Request) {
		redirect(w, "/v1/", "The API lives under /v1/.")
	})
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "NOT_FOUND",
			Message: "There is no endpoint " + data.Quote(r.URL.Path) + "; see the Redis Cloud API v1 subset Keyward serves."})
	})
}

// endpointName shows a pattern as the documentation writes it: "GET
// /v1/users/{userId}", "GET /v1/".
func endpointName(pattern string) string { return strings.TrimSuffix(pattern, "{$}") }

// redirect answers 307 with location and the JSON body every answer has.
// The API never lets net/http redirect (http.Redirect writes no body
// under a content type already set, and the ServeMux's redirect of an
// unclean path repeats the path and query as they came).
func redirect(w http.ResponseWriter, location, message string) {
	w.Header().Set("Location", location)
	writeError(w, &apiError{Status: http.StatusTemporaryRedirect, Code: "REDIRECT", Message: message})
}

// isClean reports whether p is a path the ServeMux takes as it is: one it
// does not redirect to cleanPath(p).
func isClean(p string) bool {
	if p != "" && p[0] == '/' && !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return true // the common case, decided without cleaning
	}
	return cleanPath(p) == p
}

// cleanPath is the path the ServeMux would redirect p to: rooted, without
// empty, "." or ".." segments, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// redirectToClean answers a request for an unclean path with a redirect
// to the clean one, in which, as in its query, anything with the form of
// a key is reduced to its hint: such a path names no endpoint anyway.
func redirectToClean(w http.ResponseWriter, r *http.Request) {
	clean := cleanPath(r.URL.Path)
	query := url.Values{}
	for name, values := range r.URL.Query() {
		for _, v := range values {
			query.Add(data.Redact(name), data.Redact(v))
		}
	}
	to := url.URL{Path: data.Redact(clean), RawQuery: query.Encode()}
	redirect(w, to.String(), "The path is not in its clean form: repeat the request at "+data.Quote(clean)+".")
}

// timestamp formats times as the API shows them: RFC 3339, UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

type rootAccount struct {
	Account accountInfo `json:"account"`
}

type accountInfo struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	CreatedTimestamp  string  `json:"createdTimestamp"`
	UpdatedTimestamp  string  `json:"updatedTimestamp"`
	PocStatus         string  `json:"pocStatus"`
	MarketplaceStatus string  `json:"marketplaceStatus"`
	Key               keyInfo `json:"key"`
}

type keyInfo struct {
	Name             string   `json:"name"`
	AccountID        int64    `json:"accountId"`
	AccountName      string   `json:"accountName"`
	AllowedSourceIPs []string `json:"allowedSourceIps"`
	CreatedTimestamp string   `json:"createdTimestamp"`
	Owner            keyOwner `json:"owner"`
	UserAccountID    int64    `json:"userAccountId"`
	HTTPSourceIP     string   `json:"httpSourceIp"`
}

type keyOwner struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// everyAddress is how an empty allow list is shown, as Redis Cloud shows it.
var everyAddress = []string{"0.0.0.0/0", "::/0"}

// getAccount answers GET /v1/, the hot path of every client that checks its
// key. The answer differs between keys only, and between requests only in
// httpSourceIp, so it is kept encoded per key, in two halves around the
// address, for as long as the store's generation stays the same.
func (h *handler) getAccount(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	halves, e := h.rootHalves(c.KeyID)
	if e != nil {
		return e
	}
	buf := bodies.Get().(*[]byte)
	b := append((*buf)[:0], halves.before...)
	b = c.addr.AppendTo(b)
	b = append(b, halves.after...)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	*buf = b
	bodies.Put(buf)
	return nil
}

// bodies recycles the buffers GET /v1/ answers are assembled in.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// rootAnswer is the encoded GET /v1/ answer of one key, split where the
// caller's address goes.
type rootAnswer struct {
	before, after []byte
}

// rootCache holds the encoded answers of the keys seen since the store's
// generation last changed.
type rootCache struct {
	mu         sync.RWMutex
	generation uint64
	answers    map[uuid.UUID]*rootAnswer
}

func (h *handler) rootHalves(keyID uuid.UUID) (*rootAnswer, *apiError) {
	gen := h.store.Generation()
	h.root.mu.RLock()
	a := h.root.answers[keyID]
	current := h.root.generation == gen
	h.root.mu.RUnlock()
	if a != nil && current {
		return a, nil
	}
	a, e := h.encodeRoot(keyID)
	if e != nil {
		return nil, e
	}
	h.root.mu.Lock()
	if h.root.generation != gen || h.root.answers == nil {
		h.root.generation, h.root.answers = gen, map[uuid.UUID]*rootAnswer{}
	}
	h.root.answers[keyID] = a
	h.root.mu.Unlock()
	return a, nil
}

// encodeRoot encodes the GET /v1/ answer of a key with an empty
// httpSourceIp and splits it there.
func (h *handler) encodeRoot(keyID uuid.UUID) (*rootAnswer, *apiError) {
	acct, err := h.store.Account()
	if err != nil {
		return nil, dataError(err)
	}
	k, err := h.store.UserKey(keyID)
	if err != nil {
		return nil, dataError(err)
	}
	allowed := k.AllowList.Strings()
	if len(allowed) == 0 {
		allowed = everyAddress
	}
	b, err := json.Marshal(rootAccount{accountInfo{
		ID: acct.ID, Name: acct.Name, CreatedTimestamp: timestamp(acct.CreatedAt), UpdatedTimestamp: timestamp(acct.UpdatedAt),
		PocStatus: "inactive", MarketplaceStatus: "inactive",
		Key: keyInfo{Name: k.Name, AccountID: acct.ID, AccountName: acct.Name, AllowedSourceIPs: allowed,
			CreatedTimestamp: timestamp(k.CreatedAt), Owner: keyOwner{Name: k.UserName, Email: k.UserEmail},
			UserAccountID: k.UserID},
	}})
	if err != nil {
		return nil, &apiError{Status: http.StatusInternalServerError, Code: "INTERNAL_ERROR", Message: "The answer could not be encoded."}
	}
	b = redactJSON(b)
	const field = `"httpSourceIp":"`
	i := bytes.LastIndex(b, []byte(field)) + len(field)
	return &rootAnswer{before: b[:i], after: append(b[i:len(b):len(b)], '\n')}, nil
}

type accountUser struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Email     string      `json:"email"`
	Role      data.Role   `json:"role"`
	SignUp    string      `json:"signUp"`
	UserType  string      `json:"userType"`
	HasAPIKey bool        `json:"hasApiKey"`
	Options   userOptions `json:"options"`
}

type userOptions struct {
	Billing           bool `json:"billing"`
	EmailAlerts       bool `json:"emailAlerts"`
	OperationalEmails bool `json:"operationalEmails"`
	MFAEnabled        bool `json:"mfaEnabled"`
}

func userJSON(u data.User) accountUser {
	return accountUser{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, SignUp: timestamp(u.CreatedAt), UserType: "Local",
		HasAPIKey: u.KeyCount > 0, Options: userOptions{Billing: u.Role == data.RoleOwner || u.Role == data.RoleBillingAdmin}}
}

func (h *handler) getUsers(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	acct, err := h.store.Account()
	if err != nil {
		return dataError(err)
	}
	users := h.store.Users()
	out := struct {
		Account int64         `json:"account"`
		Users   []accountUser `json:"users"`
	}{acct.ID, make([]accountUser, len(users))}
	for i, u := range users {
		out.Users[i] = userJSON(u)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// userID reads the {userId} path value: a positive int32, as the document
// types it.
func userID(r *http.Request) (int64, *apiError) {
	s := r.PathValue("userId")
	id, err := strconv.ParseInt(s, 10, 32)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, badRequest("The user id " + data.Quote(s) + " is out of range: user ids go from 1 to 2147483647.")
	case err != nil:
		return 0, badRequest("The user id " + data.Quote(s) + " is not a number: give the user's numeric id, such as 1.")
	case id < 1:
		return 0, badRequest("The user id " + data.Quote(s) + " is not positive: user ids start at 1.")
	}
	return id, nil
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	id, e := userID(r)
	if e != nil {
		return e
	}
	u, err := h.store.User(id)
	if err != nil {
		return dataError(err)
	}
	writeJSON(w, http.StatusOK, userJSON(u))
	return nil
}

func (h *handler) putUser(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	id, e := userID(r)
	if e != nil {
		return e
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return badRequest(fmt.Sprintf("The request body is larger than %d bytes.", maxBody))
		}
		return badRequest("The request body could not be read.")
	}
	u, e := parseUserUpdate(body)
	if e != nil {
		return e
	}
	ch := data.UserChange{Name: &u.Name}
	if u.Role != nil {
		role, err := data.ParseRole(*u.Role)
		if err != nil {
			return dataError(err)
		}
		ch.Role = &role
	}
	if _, err := h.store.User(id); err != nil {
		return dataError(err)
	}
	_, err = h.store.UpdateUser(c.Actor(), id, ch)
	return h.answerTask(w, "userUpdateRequest", fmt.Sprintf("Update user %d", id), id, err)
}

func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	id, e := userID(r)
	if e != nil {
		return e
	}
	if _, err := h.store.User(id); err != nil {
		return dataError(err)
	}
	_, err := h.store.DeleteUser(c.Actor(), id)
	return h.answerTask(w, "userDeleteRequest", fmt.Sprintf("Delete user %d", id), id, err)
}

// answerTask records the outcome of a change as a task and answers it. A
// rule the change broke (the last Owner, one's own role) fails the task;
// invalid input is a 400 and an unknown user a 404, with no task.
func (h *handler) answerTask(w http.ResponseWriter, command, description string, resourceID int64, err error) *apiError {
	task, terr := h.store.NewTask(command, description)
	if terr != nil {
		return dataError(terr)
	}
	task.Status, task.Response.ResourceID = data.TaskCompleted, resourceID
	if err != nil {
		if data.ErrorCode(err) != data.EConflict {
			return dataError(err)
		}
		task.Status, task.Response.Error, task.Response.AdditionalInfo = data.TaskFailed, taskErrorCode(err), data.ErrorMessage(err)
	}
	if err := h.store.SaveTask(task); err != nil {
		return dataError(err)
	}
	writeJSON(w, http.StatusOK, taskJSON(task))
	return nil
}

// taskErrorCode picks the Redis Cloud error code of a refused change.
func taskErrorCode(err error) string {
	switch {
	case errors.Is(err, data.ErrOwnRole):
		return "USER_CANNOT_UPDATE_IT_IS_OWN_ROLE"
	case errors.Is(err, data.ErrOwnUser):
		return "USER_CANNOT_DELETE_OWN_USER"
	}
	return "BAD_REQUEST"
}

// taskState is TaskStateUpdate: the task (whose times the store keeps in
// whole UTC seconds, so they encode as RFC 3339) and a link to itself.
type taskState struct {
	data.Task
	Links []map[string]string `json:"links"`
}

func taskJSON(t data.Task) taskState {
	return taskState{Task: t, Links: []map[string]string{{"rel": "task", "type": "GET", "href": "/v1/tasks/" + t.ID.String()}}}
}

func (h *handler) getTasks(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	tasks, err := h.store.Tasks()
	if err != nil {
		return dataError(err)
	}
	out := struct {
		Tasks []taskState `json:"tasks"`
	}{make([]taskState, len(tasks))}
	for i, t := range tasks {
		out.Tasks[i] = taskJSON(t)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) getTask(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	s := r.PathValue("taskId")
	id, err := uuid.Parse(s)
	if err != nil {
		return badRequest("The task id " + data.Quote(s) + " is not a UUID: use the taskId of a PUT or DELETE answer.")
	}
	t, err := h.store.Task(id)
	if err != nil {
		return dataError(err)
	}
	writeJSON(w, http.StatusOK, taskJSON(t))
	return nil
}

// logQuery reads offset, limit (1 to maxLimit), startTime, endTime and,
// when withResource, resourceId.
func logQuery(r *http.Request, maxLimit int, withResource bool) (data.LogQuery, *apiError) {
	q := data.LogQuery{Limit: data.DefaultLogLimit}
	values := r.URL.Query()
	intParam := func(name string, min, max int64, dst *int64) *apiError {
		if !values.Has(name) {
			return nil
		}
		v, err := strconv.ParseInt(values.Get(name), 10, 32)
		if err != nil || v < min || v > max {
			return badRequest(fmt.Sprintf("The %s parameter must be an integer from %d to %d.", name, min, max))
		}
		*dst = v
		return nil
	}
	timeParam := func(name string, dst *time.Time) *apiError {
		if !values.Has(name) {
			return nil
		}
		t, err := time.Parse(time.RFC3339, values.Get(name))
		if err != nil {
			return badRequest(fmt.Sprintf("The %s parameter must be an RFC 3339 time such as 2025-01-31T23:59:59Z.", name))
		}
		*dst = t
		return nil
	}
	var offset, limit, resource int64 = 0, data.DefaultLogLimit, 0
	for _, e := range []*apiError{
		intParam("offset", 0, math.MaxInt32, &offset),
		intParam("limit", 1, int64(maxLimit), &limit),
		timeParam("startTime", &q.Since),
		timeParam("endTime", &q.Until),
	} {
		if e != nil {
			return q, e
		}
	}
	if withResource {
		if e := intParam("resourceId", 1, math.MaxInt32, &resource); e != nil {
			return q, e
		}
	}
	q.Offset, q.Limit, q.ResourceID = int(offset), int(limit), resource
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		return q, badRequest("The endTime parameter is before startTime.")
	}
	return q, nil
}

func (h *handler) getLogs(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	q, e := logQuery(r, 1000, true)
	if e != nil {
		return e
	}
	entries, err := h.store.SystemLog(q)
	if err != nil {
		return dataError(err)
	}
	writeEntries(w, entries)
	return nil
}

func (h *handler) getSessionLogs(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
	q, e := logQuery(r, 100, false)
	if e != nil {
		return e
	}
	entries, err := h.store.SessionLog(q)
	if err != nil {
		return dataError(err)
	}
	writeEntries(w, entries)
	return nil
}

// writeEntries answers a log query as {"entries": [...]}, with an empty
// page as [] rather than null, as the OpenAPI document requires.
func writeEntries[E any](w http.ResponseWriter, entries []E) {
	if entries == nil {
		entries = []E{}
	}
	writeJSON(w, http.StatusOK, struct {
		Entries []E `json:"entries"`
	}{entries})
}
