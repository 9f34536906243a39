package federation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
)

// node is one running `lifeline serve` process with its own data folder.
type node struct {
	party  string
	url    string
	tokens map[string]string
}

// build compiles the lifeline binary once for the test.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lifeline")
	cmd := exec.Command("go", "build", "-o", bin, "lifeline/cmd/lifeline")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// prepare makes a node's database: the three parties, BB's camp, users
// with tokens, and for party AA prisoners held by BB with one sealed parcel
// each. It returns the tokens and the tracking numbers.
func prepare(t *testing.T, dir, party string, users []store.User, parcels int) (map[string]string, []string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "lifeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "Party A", Kind: registry.StateParty}, {Code: "BB", Name: "Party B", Kind: registry.StateParty},
			{Code: "ICRC", Name: "Intermediary", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, store.System, p); err != nil {
				return err
			}
		}
		camp := &registry.Facility{Code: "B-1", Name: "Camp B1", PartyCode: "BB", Kind: registry.Camp}
		if err := tx.CreateFacility(ctx, store.System, camp); err != nil {
			return err
		}
		for _, u := range users {
			if err := tx.CreateUser(ctx, store.System, &u, "password for tests"); err != nil {
				return err
			}
		}
		for i := range parcels {
			p := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: fmt.Sprintf("Prisoner %d", i+1), Rank: "private",
				BirthDate: "1990", ServiceNumber: fmt.Sprintf("S-%d", i+1), IntermediaryRef: fmt.Sprintf("ICRC-%04d", i+1)}
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: camp.ID}); err != nil {
				return err
			}
			id, err := s10.Make("CP", uint32(1000+i), "UA")
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcels (tracking, direction, person_id, from_party, to_party, facility_id, status, items, weight_grams,
				created_at, sealed_at, updated_at) VALUES ($1, 'to_detainee', $2, 'AA', 'BB', $3, 'sealed', 5, 450, $4, $4, $4)`, id, p.ID, camp.ID, tx.Now()); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range users {
		if tokens[u.Name], err = db.CreateToken(ctx, store.System, u.Name); err != nil {
			t.Fatal(err)
		}
	}
	return tokens, ids
}

var servingURL = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)

// start runs `lifeline serve` for party on a free loopback port and waits
// until it says where it listens.
func start(t *testing.T, bin, dir, party string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", dir, "--node-party", party, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "LIFELINE_DB=", "LIFELINE_KEY_FILE=", "LIFELINE_NODE_PARTY=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	var lines bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if !sent {
				lines.WriteString(sc.Text() + "\n")
			}
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("%s: the server stopped before it listened:\n%s", party, lines.String())
		}
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: the server did not start", party)
	}
	return ""
}

func (n *node) call(t *testing.T, user, method, path, body string, want int) []byte {
	t.Helper()
	req, err := http.NewRequest(method, n.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+n.tokens[user])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s %s as %s: got %d, want %d: %s", n.party, method, path, user, res.StatusCode, want, data)
	}
	return data
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestThreeProcesses runs party AA, the intermediary and party BB as three
// `lifeline serve` processes on loopback, each with its own database and
// node key. December's consignment goes from AA to BB through the
// intermediary by signed bundles pushed over HTTP, and the delivery report
// comes back.
func TestThreeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := build(t)
	specs := []struct {
		party   string
		users   []store.User
		parcels int
	}{
		{"AA", []store.User{{Name: "admin", Role: auth.Admin, PartyCode: "AA"}, {Name: "logistics", Role: auth.Logistics, PartyCode: "AA"}}, 6},
		{"ICRC", []store.User{{Name: "admin", Role: auth.Admin, PartyCode: "ICRC"}, {Name: "delegate", Role: auth.Delegate, PartyCode: "ICRC"},
			{Name: "delegate2", Role: auth.Delegate, PartyCode: "ICRC"}}, 0},
		{"BB", []store.User{{Name: "admin", Role: auth.Admin, PartyCode: "BB"}, {Name: "logistics", Role: auth.Logistics, PartyCode: "BB"},
			{Name: "facility", Role: auth.Facility, PartyCode: "BB"}}, 0},
	}
	nodes := map[string]*node{}
	var ids []string
	for _, s := range specs {
		dir := t.TempDir()
		tokens, parcels := prepare(t, dir, s.party, s.users, s.parcels)
		if s.party == "AA" {
			ids = parcels
		}
		nodes[s.party] = &node{party: s.party, url: start(t, bin, dir, s.party), tokens: tokens}
	}
	aa, icrc, bb := nodes["AA"], nodes["ICRC"], nodes["BB"]
	// Every node trusts the other two, by the keys they publish.
	for _, n := range nodes {
		for _, o := range nodes {
			if o == n {
				continue
			}
			var k struct{ Party, PublicKey string }
			raw := o.call(t, "", "GET", "/api/v1/node/key", "", 200)
			var m map[string]string
			json.Unmarshal(raw, &m)
			k.Party, k.PublicKey = m["party"], m["public_key"]
			if k.Party != o.party {
				t.Fatalf("node %s says it signs for %q", o.party, k.Party)
			}
			n.call(t, "admin", "POST", "/api/v1/party-keys", jsonBody(map[string]string{"party": k.Party, "public_key": k.PublicKey}), 201)
		}
	}
	// push carries the latest bundle of a kind from one node to others.
	push := func(from *node, user, ref, kind string, to ...*node) []byte {
		t.Helper()
		b := from.call(t, user, "GET", "/api/v1/consignments/"+ref+"/bundle?kind="+kind, "", 200)
		for _, n := range to {
			user := "admin"
			n.call(t, user, "POST", "/api/v1/bundles", string(b), 201)
			if got := n.call(t, user, "POST", "/api/v1/bundles", string(b), 200); !bytes.Contains(got, []byte(`"changed":false`)) {
				t.Errorf("%s: pushing %s twice changed something: %s", n.party, kind, got)
			}
		}
		return b
	}

	var c struct {
		Ref   string `json:"ref"`
		State string `json:"state"`
	}
	json.Unmarshal(aa.call(t, "logistics", "POST", "/api/v1/consignments", jsonBody(map[string]any{"to": "BB", "period": "2026-12", "target": 2000}), 201), &c)
	base := "/api/v1/consignments/" + c.Ref
	aa.call(t, "logistics", "POST", base+"/parcels", `{"all":true}`, 200)
	aa.call(t, "logistics", "POST", base+"/seal", `{}`, 200)
	aa.call(t, "logistics", "POST", base+"/dispatch", `{}`, 200)
	manifest := push(aa, "logistics", c.Ref, "manifest", icrc, bb)

	// A changed byte is refused with a clear message, and nothing changes.
	i := bytes.Index(manifest, []byte(`"payload": "`)) + 30
	tampered := bytes.Clone(manifest)
	tampered[i] ^= 1
	if got := bb.call(t, "admin", "POST", "/api/v1/bundles", string(tampered), 422); !bytes.Contains(got, []byte("does not verify")) && !bytes.Contains(got, []byte("not valid base64")) {
		t.Errorf("tampered bundle: got %s", got)
	}

	// The handover at the intermediary: one parcel missing, one damaged.
	for k, id := range ids[:5] {
		icrc.call(t, "delegate", "POST", base+"/scans", jsonBody(map[string]any{"tracking": id, "damaged": k == 1}), 200)
	}
	icrc.call(t, "delegate", "POST", base+"/handover", `{}`, 409)
	var note struct{ ID int64 }
	json.Unmarshal(icrc.call(t, "delegate", "POST", base+"/notes", `{"text":"one parcel missing, one torn"}`, 201), &note)
	confirm := fmt.Sprintf("%s/notes/%d/confirm", base, note.ID)
	icrc.call(t, "delegate", "POST", confirm, `{}`, 200)
	icrc.call(t, "delegate", "POST", confirm, `{}`, 409)
	icrc.call(t, "delegate2", "POST", confirm, `{}`, 200)
	icrc.call(t, "delegate", "POST", base+"/handover", `{}`, 200)
	icrc.call(t, "delegate", "POST", base+"/handover", `{}`, 409)
	push(icrc, "delegate", c.Ref, "handover_receipt", bb)

	// BB countersigns and sends the receipt back to both.
	bb.call(t, "logistics", "POST", base+"/countersign", `{}`, 200)
	push(bb, "logistics", c.Ref, "handover_receipt", icrc, aa)

	// BB delivers: a parcel that never arrived is refused.
	bb.call(t, "facility", "POST", "/api/v1/deliveries", jsonBody(map[string]any{"tracking": ids[5], "outcome": "delivered", "ack_kind": "signed_slip", "ack_ref": "S5"}), 409)
	for k, id := range ids[:5] {
		d := map[string]any{"tracking": id, "outcome": "delivered", "ack_kind": "signed_slip", "ack_ref": fmt.Sprintf("S%d", k)}
		switch k {
		case 2:
			d = map[string]any{"tracking": id, "outcome": "undeliverable", "reason": "deceased", "action": "returned"}
		case 3:
			d = map[string]any{"tracking": id, "outcome": "delivered", "ack_kind": "representative", "ack_ref": "ATT-3"}
		}
		bb.call(t, "facility", "POST", "/api/v1/deliveries", jsonBody(d), 201)
	}
	bb.call(t, "logistics", "POST", base+"/returns", `{}`, 201)
	bb.call(t, "logistics", "POST", base+"/report", `{}`, 200)
	push(bb, "logistics", c.Ref, "delivery_report", aa, icrc)

	for _, n := range []*node{aa, icrc, bb} {
		json.Unmarshal(n.call(t, "admin", "GET", base, "", 200), &c)
		if c.State != "closed" {
			t.Errorf("%s: consignment %s is %s, want closed", n.party, c.Ref, c.State)
		}
	}
	events := string(aa.call(t, "admin", "GET", base+"/events.csv", "", 200))
	for _, code := range []string{",EMA,", ",EMC,", ",EMD,", ",EMH,", ",EMI,"} {
		if !strings.Contains(events, code) {
			t.Errorf("AA's UPU events lack %s:\n%s", code, events)
		}
	}
}
