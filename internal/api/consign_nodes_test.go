package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/server"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// node is one node of a federated deployment: its own database, its own
// key, signing for one party, served over loopback.
type node struct {
	*env
	party string
	key   *sign.Key
}

func startNode(t *testing.T, party string, seed byte, users ...store.User) *node {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	key, err := sign.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, tokens: map[string]string{}}
	users = append(users, store.User{Name: "root", Role: auth.Admin, PartyCode: "ICRC"})
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty},
			{Code: "ICRC", Name: "I", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, store.System, p); err != nil {
				return err
			}
		}
		fb := &registry.Facility{Code: "B-1", Name: "Camp B1", PartyCode: "BB", Kind: registry.Camp}
		if err := tx.CreateFacility(ctx, store.System, fb); err != nil {
			return err
		}
		e.facB = fb.ID
		for _, u := range users {
			if err := tx.CreateUser(ctx, store.System, &u, "password for tests"); err != nil {
				return err
			}
		}
		return nil
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
	a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test", Party: party, Key: key}
	e.s = server.New(a)
	e.srv = httptest.NewServer(e.s.Handler())
	t.Cleanup(e.srv.Close)
	return &node{env: e, party: party, key: key}
}

// trust has n trust the keys the other nodes publish, over HTTP.
func (n *node) trust(t *testing.T, others ...*node) {
	t.Helper()
	for _, o := range others {
		st, k := o.do("", "GET", "/api/v1/node/key", nil)
		if st != 200 || k["party"] != o.party || k["key_id"] != o.key.ID() {
			t.Fatalf("key of %s: got %d %v", o.party, st, k)
		}
		in := map[string]any{"party": k["party"], "public_key": k["public_key"]}
		st, out := n.do("root", "POST", "/api/v1/party-keys", in)
		n.want(st, 201, out, "trust "+o.party+" at "+n.party)
		// Trusting the same key again changes nothing.
		st, out = n.do("root", "POST", "/api/v1/party-keys", in)
		n.want(st, 201, out, "trust again")
	}
	st, list := n.do("root", "GET", "/api/v1/party-keys", nil)
	if st != 200 || len(list["items"].([]any)) != len(others) {
		t.Fatalf("trusted keys at %s: got %d %v", n.party, st, list)
	}
	st, out := n.do("root", "POST", "/api/v1/party-keys", map[string]any{"party": "AA", "public_key": "not a key"})
	n.want(st, 422, out, "trust a bad key")
}

// push sends the latest bundle of ref on from to each node, as the
// intermediary's node pushes over HTTP, and checks the answers.
func push(t *testing.T, from *node, user, ref, kind string, to []*node, pushers []string) {
	t.Helper()
	st, _, b := from.raw(user, "GET", "/api/v1/consignments/"+ref+"/bundle?kind="+kind, "", "")
	if st != 200 {
		t.Fatalf("export %s of %s at %s: got %d %s", kind, ref, from.party, st, b)
	}
	for i, n := range to {
		st, _, msg := n.raw(pushers[i], "POST", "/api/v1/bundles", "application/json", b)
		if st != 201 {
			t.Fatalf("push %s to %s: got %d %s", kind, n.party, st, msg)
		}
		// Pushing again changes nothing.
		st, _, msg = n.raw(pushers[i], "POST", "/api/v1/bundles", "application/json", b)
		if st != 200 || !strings.Contains(msg, `"changed":false`) {
			t.Fatalf("push %s again to %s: got %d %s", kind, n.party, st, msg)
		}
	}
}

// TestThreeNodes sends a consignment from party AA's node through the
// intermediary's node to party BB's node, each with its own database and
// key, and brings the delivery report back, all over HTTP.
func TestThreeNodes(t *testing.T) {
	a := startNode(t, "AA", 21, store.User{Name: "log-a", Role: auth.Logistics, PartyCode: "AA"})
	i := startNode(t, "ICRC", 22, store.User{Name: "admin-i", Role: auth.Admin, PartyCode: "ICRC"}, store.User{Name: "del-1", Role: auth.Delegate, PartyCode: "ICRC"},
		store.User{Name: "del-2", Role: auth.Delegate, PartyCode: "ICRC"})
	b := startNode(t, "BB", 23, store.User{Name: "log-b", Role: auth.Logistics, PartyCode: "BB"}, store.User{Name: "fac-b", Role: auth.Facility, PartyCode: "BB"})
	a.trust(t, i, b)
	i.trust(t, a, b)
	b.trust(t, a, i)

	// AA's parcels: its prisoners held by BB.
	ctx := context.Background()
	var ids []string
	err := a.db.Tx(ctx, func(tx *store.Tx) error {
		for k := range 3 {
			p := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Prisoner " + string(rune('A'+k)), Rank: "private", BirthDate: "1990", ServiceNumber: "1"}
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
			id, _ := s10.Make("CP", uint32(700+k), "UA")
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcels (tracking, direction, person_id, from_party, to_party, status, items, weight_grams,
				created_at, sealed_at, updated_at) VALUES ($1, 'to_detainee', $2, 'AA', 'BB', 'sealed', 2, 400, $3, $3, $3)`, id, p.ID, tx.Now()); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, c := a.do("log-a", "POST", "/api/v1/consignments", map[string]any{"to": "BB", "period": "2026-12", "target": 2000})
	a.want(st, 201, c, "create at AA")
	ref := c["ref"].(string)
	base := "/api/v1/consignments/" + ref
	for _, step := range []string{"/parcels", "/seal", "/dispatch"} {
		body := map[string]any{}
		if step == "/parcels" {
			body["all"] = true
		}
		st, out := a.do("log-a", "POST", base+step, body)
		a.want(st, 200, out, step+" at AA")
	}
	// The manifest goes to the intermediary and to BB.
	push(t, a, "log-a", ref, "manifest", []*node{i, b}, []string{"admin-i", "log-b"})

	// A node refuses a bundle meant for another: AA's own node was not
	// sent the manifest by itself, but a node of a stranger is.
	c2 := startNode(t, "CC", 24, store.User{Name: "log-c", Role: auth.Logistics, PartyCode: "AA"})
	c2.trust(t, a)
	_, _, mb := a.raw("log-a", "GET", base+"/bundle?kind=manifest", "", "")
	if st, _, msg := c2.raw("log-c", "POST", "/api/v1/bundles", "application/json", mb); st != 422 || !strings.Contains(msg, "not for this node") {
		t.Errorf("replayed to another node: got %d %s", st, msg)
	}
	// An untrusted signer.
	stranger := startNode(t, "BB", 25, store.User{Name: "log-s", Role: auth.Logistics, PartyCode: "BB"})
	if st, _, msg := stranger.raw("log-s", "POST", "/api/v1/bundles", "application/json", mb); st != 422 || !strings.Contains(msg, "does not trust") {
		t.Errorf("untrusted signer: got %d %s", st, msg)
	}

	// The handover at the intermediary's node.
	for _, id := range ids {
		st, out := i.do("del-1", "POST", base+"/scans", map[string]any{"tracking": id})
		i.want(st, 200, out, "scan at ICRC")
	}
	st, out := i.do("del-1", "POST", base+"/handover", map[string]any{})
	i.want(st, 200, out, "handover at ICRC")
	// BB gets the receipt, countersigns, and sends it back to both.
	push(t, i, "admin-i", ref, "handover_receipt", []*node{b}, []string{"log-b"})
	st, out = b.do("log-b", "POST", base+"/countersign", map[string]any{})
	b.want(st, 200, out, "countersign at BB")
	push(t, b, "log-b", ref, "handover_receipt", []*node{i, a}, []string{"admin-i", "log-a"})
	st, out = a.do("log-a", "GET", base, nil)
	if st != 200 || out["state"] != "receipted" {
		t.Fatalf("at AA after the countersigned receipt: got %d %v", st, out["state"])
	}
	// BB delivers and reports; the report comes back to AA and the intermediary.
	for k, id := range ids {
		d := map[string]any{"tracking": id, "outcome": "delivered", "ack_kind": "signed_slip", "ack_ref": "slip-" + id}
		if k == 2 {
			d = map[string]any{"tracking": id, "outcome": "undeliverable", "reason": "released", "action": "returned"}
		}
		st, out := b.do("fac-b", "POST", "/api/v1/deliveries", d)
		b.want(st, 201, out, "delivery at BB")
	}
	st, out = b.do("log-b", "POST", base+"/returns", map[string]any{})
	b.want(st, 201, out, "return at BB")
	st, out = b.do("log-b", "POST", base+"/report", map[string]any{})
	b.want(st, 200, out, "report at BB")
	push(t, b, "log-b", ref, "delivery_report", []*node{a, i}, []string{"log-a", "admin-i"})
	for _, n := range []*node{a, i, b} {
		user := map[string]string{"AA": "log-a", "ICRC": "admin-i", "BB": "log-b"}[n.party]
		st, out := n.do(user, "GET", base, nil)
		if st != 200 || out["state"] != "closed" {
			t.Errorf("at %s: got %d state %v, want closed", n.party, st, out["state"])
		}
	}
	st, _, csv := a.raw("log-a", "GET", base+"/parcels", "", "")
	if st != 200 || strings.Count(csv, `"acknowledged"`) != 2 || strings.Count(csv, `"returned"`) != 1 {
		t.Errorf("AA's parcels: got %d %s", st, csv)
	}
	// A node that signs for AA refuses to sign for BB.
	if st, out := a.do("log-a", "POST", base+"/report", map[string]any{}); st != 403 {
		t.Errorf("AA signing BB's report: got %d %v", st, out)
	}
}
