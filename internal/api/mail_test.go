package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// mailEnv adds mail staff of both parties, S10 settings, a prisoner of AA
// held by BB and a civilian of BB that AA cannot reach.
type mailEnv struct {
	*env
	pow, other int64
}

func newMailEnv(t *testing.T, db *store.DB) *mailEnv {
	t.Helper()
	e := &mailEnv{env: newEnv(t, db)}
	ctx := context.Background()
	users := []store.User{
		{Name: "clerk-a", Role: auth.Clerk, PartyCode: "AA"}, {Name: "screener-a", Role: auth.Screener, PartyCode: "AA"},
		{Name: "packer-a", Role: auth.Packer, PartyCode: "AA"}, {Name: "clerk-b", Role: auth.Clerk, PartyCode: "BB"},
		{Name: "screener-b", Role: auth.Screener, PartyCode: "BB"}, {Name: "admin-a", Role: auth.Admin, PartyCode: "AA"},
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range users {
			if err := tx.CreateUser(ctx, store.System, &users[i], "password for tests"); err != nil {
				return err
			}
		}
		for _, s := range []store.MailSettings{
			{Party: "AA", ItemService: "RR", ParcelService: "CP", Country: "UA", LimitHours: 72},
			{Party: "BB", ItemService: "RB", ParcelService: "CB", Country: "RU", LimitHours: 72},
		} {
			if err := tx.SetMailSettings(ctx, store.System, s); err != nil {
				return err
			}
		}
		p := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Щербак Андрій", LatinNames: []string{"Shcherbak Andrii"},
			Rank: "солдат", BirthDate: "1991-03-04", ServiceNumber: "UA-1"}
		if err := tx.CreatePerson(ctx, store.System, p); err != nil {
			return err
		}
		e.pow = p.ID
		if err := tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: e.facB}); err != nil {
			return err
		}
		o := &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "BB", NativeName: "Иванов Иван"}
		if err := tx.CreatePerson(ctx, store.System, o); err != nil {
			return err
		}
		e.other = o.ID
		return tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: o.ID, Type: registry.Arrived, FacilityID: e.facB})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		tok, err := db.CreateToken(ctx, store.System, u.Name)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.Name] = tok
	}
	return e
}

// photo is a JPEG that carries an APP1 Exif segment with GPS tags.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x25\x88\x04\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00\x00\x00\x00GPSLatitude 50.45N")
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(exif)+2))
	out := append([]byte{}, b.Bytes()[:2]...)
	out = append(out, seg...)
	out = append(out, exif...)
	return append(out, b.Bytes()[2:]...)
}

type filePart struct {
	field, name, ctype string
	body               io.Reader
}

// multipartBody streams a form with a JSON field (none when field is "")
// and files.
func multipartBody(field string, meta any, files ...filePart) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		if field != "" {
			j, _ := json.Marshal(meta)
			mw.WriteField(field, string(j))
		}
		for _, f := range files {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="`+f.field+`"; filename="`+f.name+`"`)
			h.Set("Content-Type", f.ctype)
			w, _ := mw.CreatePart(h)
			if _, err := io.Copy(w, f.body); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

// raw sends a request with any body and returns the status, the body and
// the content type.
func (e *mailEnv) raw(user, method, path string, body io.Reader, ctype string) (int, []byte, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header.Get("Content-Type")
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func path(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case int64:
			b.WriteString(jsonNum(v))
		}
	}
	return b.String()
}

func TestMailLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		meta := map[string]any{"person_id": e.pow, "kind": "photograph",
			"sender": map[string]any{"name": "Олена Щербак", "relationship": "mother", "contact": "+380 44 000 00 00"}}
		body, ct := multipartBody("item", meta, filePart{"scan", "IMG_0001.jpg", "image/jpeg", bytes.NewReader(photo(t))})
		st, raw, _ := e.raw("clerk-a", "POST", "/api/v1/items", body, ct)
		if st != 201 {
			t.Fatalf("intake: got %d %s", st, raw)
		}
		in := decode(t, raw)
		item := in["item"].(map[string]any)
		id, pin, tracking := num(item["id"]), in["pin"].(string), item["tracking"].(string)
		if len(pin) != 6 || s10.Validate(tracking) != nil || item["origin_party"] != "AA" || item["dest_party"] != "BB" || item["language"] != "und" {
			t.Fatalf("intake answer: %s", raw)
		}
		if strings.Contains(string(raw), "pin_hash") || strings.Contains(string(raw), "s1$") {
			t.Errorf("the answer holds the PIN hash: %s", raw)
		}

		// The receipt slip needs the PIN.
		st, slip, ctype := e.raw("clerk-a", "POST", path("/api/v1/items/", id, "/receipt"), strings.NewReader(`{"pin":"`+pin+`"}`), "application/json")
		if st != 200 || ctype != "application/pdf" || !bytes.HasPrefix(slip, []byte("%PDF-")) {
			t.Fatalf("receipt slip: got %d %s", st, ctype)
		}
		if st, _ := e.do("clerk-a", "POST", path("/api/v1/items/", id, "/receipt"), map[string]any{"pin": "000000"}); st != 422 {
			t.Errorf("receipt slip with a wrong PIN: got %d, want 422", st)
		}

		// Screening: AA first, once; then BB.
		st, q := e.do("screener-a", "GET", "/api/v1/screening/queue", nil)
		if st != 200 || len(q["items"].([]any)) != 1 {
			t.Fatalf("AA queue: got %d %v", st, q)
		}
		st, view := e.do("screener-a", "GET", path("/api/v1/screening/items/", id), nil)
		if st != 200 {
			t.Fatalf("screening view: %d %v", st, view)
		}
		scan := view["scans"].([]any)[0].(map[string]any)
		st, content, ctype := e.raw("screener-a", "GET", path("/api/v1/screening/items/", id, "/scans/", num(scan["id"])), nil, "")
		if st != 200 || ctype != "image/jpeg" || bytes.Contains(content, []byte("Exif")) || bytes.Contains(content, []byte("GPS")) {
			t.Fatalf("stored scan: got %d %s, %d bytes; want a JPEG without Exif or GPS", st, ctype, len(content))
		}
		if acc, _ := db.AccessLog(context.Background(), "item_scan", num(scan["id"])); len(acc) != 1 {
			t.Errorf("views of the scan recorded: got %d, want 1", len(acc))
		}
		if st, b := e.do("screener-a", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "approved"}); st != 201 {
			t.Fatalf("AA screening: got %d %v", st, b)
		}
		st, b := e.do("screener-a", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "approved"})
		if st != 409 {
			t.Fatalf("second pass by AA: got %d %v, want 409", st, b)
		}
		evs, _ := db.Events(context.Background(), "item", jsonNum(id), 0, 100)
		if evs[len(evs)-1].Type != "screening_refused" {
			t.Errorf("the refused pass is not audited: last event %s", evs[len(evs)-1].Type)
		}
		if st, b := e.do("screener-b", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "approved"}); st != 201 {
			t.Fatalf("BB screening: got %d %v", st, b)
		}

		// Packing, sealing, labels.
		st, pq := e.do("packer-a", "GET", "/api/v1/packing/queue", nil)
		if st != 200 || len(pq["items"].([]any)) != 1 {
			t.Fatalf("packing queue: got %d %v", st, pq)
		}
		st, parcel := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": []int64{id}})
		if st != 201 || parcel["status"] != "open" || num(parcel["items"]) != 1 {
			t.Fatalf("parcel: got %d %v", st, parcel)
		}
		pid := num(parcel["id"])
		if st, b := e.do("packer-a", "POST", path("/api/v1/parcels/", pid, "/seal"), map[string]any{"weight_grams": 120}); st != 200 || b["status"] != "sealed" {
			t.Fatalf("seal: got %d %v", st, b)
		}
		for _, p := range []string{path("/api/v1/parcels/", pid, "/label.pdf"), path("/api/v1/parcels/", pid, "/packing-list.pdf"),
			"/api/v1/labels.pdf?status=sealed", path("/api/v1/packing-lists.pdf?ids=", pid)} {
			st, b, ctype := e.raw("packer-a", "GET", p, nil, "")
			if st != 200 || ctype != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("%s: got %d %s %.100s", p, st, ctype, b)
			}
		}
		if st, _, _ := e.raw("packer-a", "GET", "/api/v1/labels.pdf?ids=99999", nil, ""); st != 404 {
			t.Errorf("labels of an unknown parcel: got %d, want 404", st)
		}

		// Public tracking shows the timeline only.
		st, tr, _ := e.raw("", "POST", "/api/v1/track", strings.NewReader(`{"tracking":"`+tracking+`","pin":"`+pin+`"}`), "application/json")
		if st != 200 {
			t.Fatalf("track: got %d %s", st, tr)
		}
		for _, leak := range []string{"Camp", "B-1", "facility", "Щербак", "Shcherbak", "BB", "person"} {
			if strings.Contains(string(tr), leak) {
				t.Errorf("the tracking answer leaks %q: %s", leak, tr)
			}
		}
		if !strings.Contains(string(tr), `"posted"`) {
			t.Errorf("timeline lacks the posting: %s", tr)
		}

		// Backlog for the dashboard.
		st, bl := e.do("analyst-a", "GET", "/api/v1/mail/backlog", nil)
		if st != 200 || num(bl["screening_backlog"]) != 0 {
			t.Errorf("backlog: got %d %v", st, bl)
		}
		// Quotas: never below the minimum.
		if st, b := e.do("admin-a", "PUT", "/api/v1/mail/quotas", map[string]any{"direction": "reply", "letters": 1, "cards": 4}); st != 422 {
			t.Errorf("quota under the minimum: got %d %v", st, b)
		}
		if st, b := e.do("admin-a", "PUT", "/api/v1/mail/quotas", map[string]any{"direction": "reply", "letters": 2, "cards": 4}); st != 200 {
			t.Errorf("quota: got %d %v", st, b)
		}

		// A reply from the holding side, to the family that wrote.
		st, rep := e.do("clerk-b", "POST", "/api/v1/replies", map[string]any{"person_id": e.pow, "in_reply_to": tracking, "kind": "letter", "language": "uk"})
		if st != 201 {
			t.Fatalf("reply: got %d %v", st, rep)
		}
		ri := rep["item"].(map[string]any)
		if ri["direction"] != "reply" || ri["origin_party"] != "BB" || ri["dest_party"] != "AA" || !strings.HasPrefix(ri["tracking"].(string), "RB") {
			t.Errorf("reply: got %v", ri)
		}
		if st, b := e.do("clerk-a", "POST", "/api/v1/replies", map[string]any{"person_id": e.pow, "in_reply_to": tracking, "kind": "letter"}); st != 403 {
			t.Errorf("a reply registered by the family's side: got %d %v, want 403", st, b)
		}
	})
}

// counts returns the rows of the mail tables.
func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"items", "item_scans", "senders", "blobs", "parcels", "tracking_attempts"} {
		var n int
		if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM "+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// endless yields n bytes without ever holding them; read counts them
// (atomically: the form writer reads in its own goroutine).
type endless struct {
	n    int64
	read atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	done := e.read.Load()
	if done >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-done)
	for i := range p[:k] {
		p[i] = 0xA5
	}
	e.read.Add(k)
	return int(k), nil
}

func TestMailBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		sender := map[string]any{"name": "Олена", "relationship": "mother", "contact": "Kyiv"}
		good := map[string]any{"person_id": e.pow, "kind": "letter", "sender": sender}
		jsPDF := "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
		before := counts(t, db)
		tests := []struct {
			name   string
			meta   map[string]any
			file   filePart
			status int
		}{
			{"a file named .jpg that is not a JPEG", good, filePart{"scan", "letter.jpg", "image/jpeg", strings.NewReader("Dear son, this is plain text, not a picture.")}, 422},
			{"a PDF with embedded JavaScript", good, filePart{"scan", "letter.pdf", "application/pdf", strings.NewReader(jsPDF)}, 422},
			{"a recipient outside the clerk's party's reach", map[string]any{"person_id": e.other, "kind": "letter", "sender": sender},
				filePart{"scan", "p.jpg", "image/jpeg", bytes.NewReader(photo(t))}, 422},
			{"an unknown kind", map[string]any{"person_id": e.pow, "kind": "cake", "sender": sender}, filePart{"scan", "p.jpg", "image/jpeg", bytes.NewReader(photo(t))}, 422},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				body, ct := multipartBody("item", tc.meta, tc.file)
				st, raw, _ := e.raw("clerk-a", "POST", "/api/v1/items", body, ct)
				if st != tc.status {
					t.Fatalf("got %d %s, want %d", st, raw, tc.status)
				}
				if m := decode(t, raw); errorCode(m) == "" {
					t.Errorf("no error code: %s", raw)
				}
				if got := counts(t, db); !equalCounts(got, before) {
					t.Errorf("stored: got %v, want %v", got, before)
				}
			})
		}

		t.Run("a 200 MB upload", func(t *testing.T) {
			src := &endless{n: 200 << 20}
			body, ct := multipartBody("item", good, filePart{"scan", "huge.jpg", "image/jpeg", io.MultiReader(bytes.NewReader(photo(t)[:4]), src)})
			req := httptest.NewRequest("POST", "/api/v1/items", body)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+e.tokens["clerk-a"])
			w := httptest.NewRecorder()
			e.s.Handler().ServeHTTP(w, req)
			if w.Code != 413 {
				t.Fatalf("got %d %s, want 413", w.Code, w.Body.String())
			}
			if n := src.read.Load(); n > 25<<20 {
				t.Errorf("read %d MB of the upload, want the limit and no more", n>>20)
			}
			if got := counts(t, db); !equalCounts(got, before) {
				t.Errorf("stored: got %v, want %v", got, before)
			}
		})

		t.Run("a tracking number with a wrong check digit", func(t *testing.T) {
			id, _ := s10.Make("RR", 1, "UA")
			bad := id[:10] + string('0'+(id[10]-'0'+1)%10) + id[11:]
			st, raw, _ := e.raw("", "POST", "/api/v1/track", strings.NewReader(`{"tracking":"`+bad+`","pin":"123456"}`), "application/json")
			if st != 422 || !strings.Contains(string(raw), "check digit") {
				t.Fatalf("got %d %s, want 422 naming the check digit", st, raw)
			}
			if st, b := e.do("clerk-a", "GET", "/api/v1/items?tracking="+bad, nil); st != 422 {
				t.Errorf("item search: got %d %v, want 422", st, b)
			}
			if got := counts(t, db); !equalCounts(got, before) {
				t.Errorf("stored: got %v, want %v", got, before)
			}
		})

		t.Run("a PIN guessed a hundred times", func(t *testing.T) {
			st, b := e.do("clerk-a", "POST", "/api/v1/items", good)
			if st != 201 {
				t.Fatalf("intake: %d %v", st, b)
			}
			tracking := b["item"].(map[string]any)["tracking"].(string)
			pin := b["pin"].(string)
			limited := 0
			for i := range 100 {
				guess := []byte("000000")
				guess[4], guess[5] = byte('0'+i/10), byte('0'+i%10)
				if string(guess) == pin {
					guess[0] = '9'
				}
				st, _, _ := e.raw("", "POST", "/api/v1/track", strings.NewReader(`{"tracking":"`+tracking+`","pin":"`+string(guess)+`"}`), "application/json")
				switch st {
				case 404:
				case 429:
					limited++
				default:
					t.Fatalf("guess %d: got %d", i, st)
				}
			}
			if limited < 80 {
				t.Errorf("rate limited %d of 100 guesses, want most", limited)
			}
			st, _, _ = e.raw("", "POST", "/api/v1/track", strings.NewReader(`{"tracking":"`+tracking+`","pin":"`+pin+`"}`), "application/json")
			if st != 429 {
				t.Errorf("the right PIN after the guesses: got %d, want 429", st)
			}
			client := api.TrackClient(&http.Request{RemoteAddr: "127.0.0.1:1"})
			n, err := db.TrackingAttempts(context.Background(), client)
			if err != nil || n["wrong"]+n["limited"] != 101 || n["limited"] != limited+1 {
				t.Errorf("attempts recorded: got %v %v, want the 100 guesses and the last try, %d+1 of them limited", n, err, limited)
			}
		})
	})
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if k != "tracking_attempts" && b[k] != v {
			return false
		}
	}
	return a["tracking_attempts"] == b["tracking_attempts"]
}

func TestMailRedirect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		ctx := context.Background()
		st, b := e.do("clerk-a", "POST", "/api/v1/items", map[string]any{"person_id": e.pow, "kind": "card",
			"sender": map[string]any{"name": "Олена", "relationship": "mother", "contact": "Kyiv"}})
		if st != 201 {
			t.Fatalf("intake: %d %v", st, b)
		}
		id := num(b["item"].(map[string]any)["id"])
		e.do("screener-a", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "approved"})
		st, p := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": []int64{id}})
		if st != 201 {
			t.Fatalf("pack: %d %v", st, p)
		}
		pid := num(p["id"])
		var fac2 int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			f := &registry.Facility{Code: "B-2", Name: "Camp B2", PartyCode: "BB", Kind: registry.Camp}
			if err := tx.CreateFacility(ctx, store.System, f); err != nil {
				return err
			}
			fac2 = f.ID
			return tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: e.pow, Type: registry.Transferred, FacilityID: f.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		st, v := e.do("packer-a", "GET", path("/api/v1/parcels/", pid), nil)
		offer := v["offer"].(map[string]any)
		if st != 200 || v["parcel"].(map[string]any)["flag"] != "transferred" || offer["redirect"] != true || num(offer["facility_id"]) != fac2 {
			t.Fatalf("flagged parcel: got %d %v", st, v)
		}
		if st, b := e.do("packer-a", "GET", "/api/v1/parcels?flagged=true", nil); st != 200 || len(b["items"].([]any)) != 1 {
			t.Errorf("flagged list: got %d %v", st, b)
		}
		if st, b := e.do("packer-a", "POST", path("/api/v1/parcels/", pid, "/redirect"), map[string]any{}); st != 200 || num(b["facility_id"]) != fac2 {
			t.Fatalf("redirect: got %d %v", st, b)
		}
		if st, b := e.do("packer-a", "POST", path("/api/v1/parcels/", pid, "/return"), map[string]any{}); st != 409 {
			t.Errorf("return after the redirect: got %d %v, want 409", st, b)
		}
	})
}

func TestMailRedactionAndScanUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		st, b := e.do("clerk-a", "POST", "/api/v1/items", map[string]any{"person_id": e.pow, "kind": "letter", "pages": 2,
			"sender": map[string]any{"name": "Олена", "relationship": "mother", "contact": "Kyiv"}})
		if st != 201 || len(b["scans"].([]any)) != 0 {
			t.Fatalf("JSON intake: got %d %v", st, b)
		}
		id := num(b["item"].(map[string]any)["id"])
		// The scan follows as a raw body, then as a form.
		st, raw, _ := e.raw("clerk-a", "POST", path("/api/v1/items/", id, "/scans"), bytes.NewReader(photo(t)), "image/jpeg")
		if st != 201 {
			t.Fatalf("raw scan: got %d %s", st, raw)
		}
		body, ct := multipartBody("", nil, filePart{"scan", "page2.jpg", "image/jpeg", bytes.NewReader(photo(t))})
		if st, raw, _ := e.raw("clerk-a", "POST", path("/api/v1/items/", id, "/scans"), body, ct); st != 201 {
			t.Fatalf("form scan: got %d %s", st, raw)
		}
		if st, raw, _ := e.raw("clerk-a", "POST", path("/api/v1/items/", id, "/scans"), strings.NewReader("%PDF-1.4 /JS (x) %%EOF"), "application/pdf"); st != 422 {
			t.Errorf("a PDF with JavaScript as a raw scan: got %d %s", st, raw)
		}
		var blobs int
		db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM blobs`).Scan(&blobs)
		if blobs != 2 {
			t.Errorf("the same photo twice: got %d blobs (scan and thumbnail), want 2: stored once", blobs)
		}
		if st, b := e.do("screener-a", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "approved"}); st != 201 {
			t.Fatalf("AA: got %d %v", st, b)
		}
		// BB redacts: the decision and the redacted scan in one form.
		if st, b := e.do("screener-b", "POST", path("/api/v1/screening/items/", id), map[string]any{"outcome": "redacted"}); st != 422 {
			t.Fatalf("a redaction without its scan: got %d %v, want 422", st, b)
		}
		body, ct = multipartBody("decision", map[string]any{"outcome": "redacted", "note": "a place name blacked out"},
			filePart{"redacted", "redacted.png", "image/png", bytes.NewReader(redactedPNG(t))})
		st, raw, _ = e.raw("screener-b", "POST", path("/api/v1/screening/items/", id), body, ct)
		if st != 201 {
			t.Fatalf("redaction: got %d %s", st, raw)
		}
		st, v := e.do("screener-b", "GET", path("/api/v1/screening/items/", id), nil)
		scans := v["scans"].([]any)
		if st != 200 || len(scans) != 3 || v["item"].(map[string]any)["status"] != "redacted" {
			t.Fatalf("after redaction: got %d %v", st, v)
		}
		roles := map[string]int{}
		for _, s := range scans {
			roles[s.(map[string]any)["role"].(string)]++
		}
		if roles["original"] != 2 || roles["redacted"] != 1 {
			t.Errorf("scans by role: got %v, want the 2 originals kept and 1 redacted", roles)
		}
	})
}

func redactedPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
