package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contractFile is ../shared/redis-cloud-openapi-subset.json, the official
// Redis Cloud OpenAPI document cut to what Keyward serves, kept beside the
// tests so that they run from any clone.
const contractFile = "testdata/redis-cloud-openapi-subset.json"

// contract validates responses against the OpenAPI document.
type contract struct {
	router routers.Router
}

func loadContract(tb testing.TB) *contract {
	tb.Helper()
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122))
	doc, err := openapi3.NewLoader().LoadFromFile(contractFile)
	must(tb, err)
	must(tb, doc.Validate(context.Background()))
	doc.Servers = nil // match paths whatever the host
	router, err := legacy.NewRouter(doc)
	must(tb, err)
	return &contract{router: router}
}

// check validates a 2xx response to req against the document: status,
// content type and body schema, with formats (date-time, int32, uuid)
// enforced. It also checks that every key the schema's example shows is
// present, since the document's schemas leave most objects open.
func (c *contract) check(tb testing.TB, r request, w *httptest.ResponseRecorder) {
	tb.Helper()
	req := httptest.NewRequest(r.method, r.path, nil)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		tb.Fatalf("%s %s is not in the document: %v", r.method, r.path, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 w.Code,
		Header:                 w.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()}},
	}
	input.SetBodyBytes(w.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		tb.Fatalf("%s %s: the response does not validate against the document: %v\n%s", r.method, r.path, err, w.Body)
	}
	resp := route.Operation.Responses.Status(w.Code)
	if resp == nil || resp.Value == nil {
		return
	}
	for _, media := range resp.Value.Content {
		if media.Schema == nil || media.Schema.Value == nil || media.Schema.Value.Example == nil {
			continue
		}
		var got any
		must(tb, json.Unmarshal(w.Body.Bytes(), &got))
		if missing := missingKeys(media.Schema.Value.Example, got, "$"); len(missing) > 0 {
			tb.Fatalf("%s %s: the response lacks keys the document's example shows: %v\n%s", r.method, r.path, missing, w.Body)
		}
	}
}

// missingKeys lists the keys of example that got lacks, recursively;
// arrays are compared by their first elements.
func missingKeys(example, got any, at string) []string {
	var missing []string
	switch ex := example.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{at + " (not an object)"}
		}
		keys := make([]string, 0, len(ex))
		for k := range ex {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := g[k]
			if !ok {
				missing = append(missing, at+"."+k)
				continue
			}
			missing = append(missing, missingKeys(ex[k], v, at+"."+k)...)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{at + " (not an array)"}
		}
		if len(ex) > 0 && len(g) > 0 {
			missing = append(missing, missingKeys(ex[0], g[0], at+"[0]")...)
		}
	}
	return missing
}

func TestContractDocumentLoads(t *testing.T) {
	c := loadContract(t)
	for _, ep := range []string{"GET /v1/", "GET /v1/users", "GET /v1/users/1", "PUT /v1/users/1", "DELETE /v1/users/1",
		"GET /v1/tasks", "GET /v1/tasks/x", "GET /v1/logs", "GET /v1/session-logs"} {
		var method, path string
		fmt.Sscan(ep, &method, &path)
		if _, _, err := c.router.FindRoute(httptest.NewRequest(method, path, nil)); err != nil {
			t.Errorf("%s: %v", ep, err)
		}
	}
}
