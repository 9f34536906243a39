package server_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestMethodNotAllowed: a path that exists with other methods answers
// 405 with the Allow header (JSON for the API, a page for the UI); a path
// that does not exist answers 404.
func TestMethodNotAllowed(t *testing.T) {
	s, _, _ := fixture(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/v1/items/packet", 200, ""}, // GET /api/v1/items/{id} takes it: not a 405
		{"DELETE", "/api/v1/items", 405, "GET, POST"},
		{"PUT", "/api/v1/screening/decisions", 405, "POST"},
		{"DELETE", "/login", 405, "GET, POST"},
		{"POST", "/healthz", 405, "GET"},
		{"GET", "/api/v1/no-such-thing", 404, ""},
		{"DELETE", "/no-such-page", 404, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			if tc.status == 200 {
				if w.Code == 405 {
					t.Fatalf("got 405 for a path a GET route takes")
				}
				return
			}
			if w.Code != tc.status || w.Header().Get("Allow") != tc.allow {
				t.Fatalf("got %d, Allow %q; want %d, Allow %q", w.Code, w.Header().Get("Allow"), tc.status, tc.allow)
			}
			if tc.status == 405 && tc.path[:5] == "/api/" {
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != "method_not_allowed" {
					t.Errorf("got body %s, want the JSON error method_not_allowed", w.Body)
				}
			}
		})
	}
}
